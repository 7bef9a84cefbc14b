import type { z } from 'zod';
import { InvalidInputError } from './invalid-input-error.js';

/**
 * Checks options against their strict zod schema and hands them back as given (functions, signals and transports
 * keep their identity). A failure becomes one `InvalidInputError` naming each option that is wrong and why.
 *
 * @param schema - A strict schema (`z.strictObject`) of the options.
 * @param value - What the caller passed; `undefined` is checked as `{}`.
 * @param where - The function the options are for, e.g. `upload`, put first in the message.
 * @throws {@link InvalidInputError} `INVALID_OPTIONS`, e.g. `upload: concurrency: Too big: expected number to be <=64`.
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
      return `${name ?? 'options'}: ${issue.message}`;
    })
    .join('; ');
  throw new InvalidInputError('INVALID_OPTIONS', `${where}: ${details}`, { cause: result.error });
}
