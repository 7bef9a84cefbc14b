import { CredentialsError } from './credentials-error.js';

/** Environment variables as `process.env` holds them. */
export type Environment = Record<string, string | undefined>;

/**
 * Finds the DashScope API key: the explicit value, then `DASHSCOPE_API_KEY`.
 *
 * @param explicit - A key given by the caller; wins when non-empty.
 * @param env - Where to read variables. @default process.env
 * @throws {@link CredentialsError} `CREDENTIALS_MISSING` naming `DASHSCOPE_API_KEY` when neither is set.
 * @example
 * ```ts
 * const apiKey = resolveApiKey(options.apiKey);
 * ```
 */
export function resolveApiKey(explicit?: string, env: Environment = process.env): string {
  const apiKey = explicit?.trim() || env.DASHSCOPE_API_KEY?.trim();
  if (apiKey) return apiKey;
  throw new CredentialsError(
    'No DashScope API key: pass apiKey or set DASHSCOPE_API_KEY (looked at: the apiKey option, DASHSCOPE_API_KEY)',
    { lookedAt: ['apiKey option', 'DASHSCOPE_API_KEY'] },
  );
}
