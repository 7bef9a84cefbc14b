import { createHash } from 'node:crypto';
import { type Environment, resolveApiKey } from './resolve-api-key.js';

/**
 * A short, stable label of the DashScope account an API key belongs to, for limiter keys such as
 * `files:<label>`: the first 16 hex digits of the key's SHA-256, never the key itself, so the label can appear in
 * logs and in a shared Redis store. The key is found as {@link resolveApiKey} finds it (the explicit value, then
 * `DASHSCOPE_API_KEY`); with neither, the label is `default`, and the request itself reports the missing key.
 *
 * @param explicit - A key given by the caller; wins when non-empty.
 * @param env - Where to read variables. @default process.env
 * @example
 * ```ts
 * const limitKey = `files:${apiKeyLabel(options.apiKey)}`; // 'files:3f79bb7b435b0532'
 * ```
 */
export function apiKeyLabel(explicit?: string, env: Environment = process.env): string {
  let apiKey: string;
  try {
    apiKey = resolveApiKey(explicit, env);
  } catch {
    return 'default';
  }
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}
