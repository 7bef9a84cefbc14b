import type { IncomingMessage } from 'node:http';
import type { EmulatorAccount } from '../surface.js';

/**
 * The account whose API key is the request's `Authorization: Bearer` token: `missing` when there is no bearer token,
 * `unknown` when no account has it.
 */
export function bearerAccount(
  request: IncomingMessage,
  accounts: readonly EmulatorAccount[],
): EmulatorAccount | 'missing' | 'unknown' {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (match === null) return 'missing';
  return accounts.find((account) => account.apiKey === match[1]) ?? 'unknown';
}
