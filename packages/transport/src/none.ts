import type { AuthStrategy } from './auth-strategy.js';

/**
 * No authentication, for pre-signed URLs whose query already carries the signature.
 *
 * @example
 * ```ts
 * await transport.request({ method: 'PUT', path: lease.url, auth: none(), body: fileBody(path) });
 * ```
 */
export function none(): AuthStrategy {
  return {
    name: 'none',
    async authorize() {
      return { headers: {}, secrets: [] };
    },
  };
}
