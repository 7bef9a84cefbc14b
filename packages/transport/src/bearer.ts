import type { AuthStrategy } from './auth-strategy.js';
import { resolveApiKey } from './resolve-api-key.js';

/**
 * `Authorization: Bearer <apiKey>` (DashScope). Without a key, `DASHSCOPE_API_KEY` is read at the first request,
 * not when the strategy is built.
 *
 * @param apiKey - The API key. @default process.env.DASHSCOPE_API_KEY
 * @throws {@link CredentialsError} at the first request when no key is found.
 * @example
 * ```ts
 * const transport = createTransport({ baseUrl: 'https://dashscope.aliyuncs.com', auth: bearer() });
 * ```
 */
export function bearer(apiKey?: string): AuthStrategy {
  let resolved: string | undefined;
  return {
    name: 'bearer',
    async authorize() {
      resolved ??= resolveApiKey(apiKey);
      return { headers: { authorization: `Bearer ${resolved}` }, secrets: [resolved] };
    },
  };
}
