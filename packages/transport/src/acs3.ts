import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@x/hash';
import { acs3Date, acs3Signature } from './acs3-signature.js';
import type { AuthStrategy } from './auth-strategy.js';
import { InvalidInputError } from './invalid-input-error.js';
import { type AccessKeyCredentials, resolveAccessKey } from './resolve-access-key.js';

/**
 * A source of AccessKey credentials, called before every attempt (so rotating STS tokens are picked up). Cache
 * inside it if fetching is expensive.
 */
export type CredentialsProvider = (options: { signal?: AbortSignal }) => Promise<AccessKeyCredentials>;

/** Options of {@link acs3} for reproducible signatures. */
export interface Acs3Options {
  /** The clock for `x-acs-date`. @default () => new Date() */
  now?: () => Date;
  /** Makes the `x-acs-signature-nonce`. @default 64 random hex characters */
  nonce?: () => string;
}

const emptyPayloadHash = sha256Hex('');

/**
 * ACS3-HMAC-SHA256 request signing, as the official Alibaba Cloud SDK does it (byte for byte), with STS security
 * token support. Every attempt gets a fresh `x-acs-date` and `x-acs-signature-nonce`. Without credentials, the
 * chain of {@link resolveAccessKey} is read at the first request.
 *
 * @param credentials - An AccessKey pair, or a provider called per attempt. @default the default chain
 * @throws {@link CredentialsError} at the first request when no credentials are found.
 * @throws {@link InvalidInputError} `UNSIGNABLE_BODY` for a one-shot stream body (its hash cannot be known).
 * @example
 * ```ts
 * const transport = createTransport({ baseUrl: 'https://bailian.cn-beijing.aliyuncs.com', auth: acs3() });
 * ```
 */
export function acs3(
  credentials?: AccessKeyCredentials | CredentialsProvider,
  options: Acs3Options = {},
): AuthStrategy {
  const { now = () => new Date(), nonce = () => randomBytes(32).toString('hex') } = options;
  let cached: Promise<AccessKeyCredentials> | undefined;
  const getCredentials = async (signal: AbortSignal | undefined): Promise<AccessKeyCredentials> => {
    if (typeof credentials === 'function') return credentials({ signal });
    cached ??= resolveAccessKey(credentials).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
  return {
    name: 'acs3',
    async authorize(request) {
      const { accessKeyId, accessKeySecret, securityToken, providerName } = await getCredentials(
        request.signal,
      );
      const payloadHash = await hashPayload(request.body, request.signal);
      const headers: Record<string, string> = {
        'x-acs-date': acs3Date(now()),
        'x-acs-signature-nonce': nonce(),
        'x-acs-content-sha256': payloadHash,
        'x-acs-credentials-provider': providerName ?? (securityToken ? 'static_sts' : 'static_ak'),
      };
      if (securityToken) {
        headers['x-acs-accesskey-id'] = accessKeyId;
        headers['x-acs-security-token'] = securityToken;
      }
      const signature = acs3Signature({
        method: request.method,
        pathname: request.pathname,
        query: request.query,
        headers: { ...request.headers, ...headers },
        payloadHash,
        accessKeyId,
        accessKeySecret,
      });
      headers.authorization = signature.authorization;
      const secrets = [accessKeySecret, signature.signature];
      if (securityToken) secrets.push(securityToken);
      return { headers, secrets };
    },
  };
}

async function hashPayload(body: AuthRequest['body'], signal: AbortSignal | undefined): Promise<string> {
  if (!body) return emptyPayloadHash;
  if (!body.sha256Hex) {
    throw new InvalidInputError(
      'UNSIGNABLE_BODY',
      'ACS3 signing needs the body hash before sending: use bytesBody, formBody, jsonBody or fileBody',
    );
  }
  return body.sha256Hex({ signal });
}

type AuthRequest = Parameters<AuthStrategy['authorize']>[0];
