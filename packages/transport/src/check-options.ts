import type { z } from 'zod';
import { InvalidInputError } from './invalid-input-error.js';

/**
 * Checks options against their strict zod schema and hands them back as given (functions, signals and transports
 * keep their identity). A failure becomes one `InvalidInputError` naming each option that is wrong and why.
 *
 * @param schema - A strict schema (`z.strictObject`) of the options.
 * @param value - What the caller passed; `undefined` is checked as `{}`.
 * @param where - The function the options are for, e.g. `upload`, put first in the message.
 * @throws {@link InvalidInputError} `INVALID_OPTIONS`, e.g. `upload: concurrency: Too big: expected number to be <=64, got 100`
 * (the offending value is shown when it is short and not under a key, secret or token option).
 * @example
 * ```ts
 * const { model, signal } = checkOptions(uploadOptionsSchema, options, 'upload');
 * ```
 */
export function checkOptions<T>(schema: z.ZodType, value: T, where: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return value ?? ({} as T);
  const details = result.error.issues
    .map((issue) => {
      const name = issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
      if (issue.code === 'unrecognized_keys')
        return `unknown option ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
      return `${name ?? 'options'}: ${issue.message}${received(value, issue.path)}`;
    })
    .join('; ');
  throw new InvalidInputError('INVALID_OPTIONS', `${where}: ${details}`, { cause: result.error });
}

/** `, got <value>` for a short offending value, so the message names it; never for keys, secrets and tokens. */
function received(options: unknown, path: readonly PropertyKey[]): string {
  if (path.some((key) => /key|secret|token|credential|password/i.test(String(key)))) return '';
  let value: unknown = options;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  if (typeof value === 'number' || typeof value === 'boolean') return `, got ${String(value)}`;
  if (typeof value === 'string' && value.length <= 64) return `, got ${JSON.stringify(value)}`;
  return '';
}
