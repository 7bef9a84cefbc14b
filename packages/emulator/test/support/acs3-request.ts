import { createHash, createHmac, randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { Emulator } from '../../src/create-emulator.js';

/** What {@link signedRequest} sends: a Bailian call signed by hand, to craft what the SDK never sends. */
export interface SignedRequestOptions {
  readonly method: string;
  readonly path: string;
  readonly action: string;
  readonly query?: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  readonly nonce?: string;
  readonly date?: string;
  /** Headers sent and signed. */
  readonly extraHeaders?: Record<string, string>;
  /** Headers sent but left out of `SignedHeaders`. */
  readonly unsignedHeaders?: Record<string, string>;
  /** Headers signed as text and sent as their UTF-8 bytes (a CJK or accented value), as an SDK sends them. */
  readonly textHeaders?: Record<string, string>;
}

/** Signs a request as the spec's independent ACS3 implementation does and sends it; returns status, headers and JSON. */
export async function signedRequest(emulator: Emulator, options: SignedRequestOptions) {
  const body = options.body ?? '';
  const headers: Record<string, string> = {
    host: new URL(emulator.url).host,
    'x-acs-action': options.action,
    'x-acs-version': '2023-12-29',
    'x-acs-date': options.date ?? new Date(emulator.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': options.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': createHash('sha256').update(body).digest('hex'),
    ...(body === '' && options.contentType === undefined
      ? {}
      : { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' }),
    ...options.extraHeaders,
    ...options.textHeaders,
  };
  const encode = (value: string) =>
    encodeURIComponent(value).replace(
      /[!'()*]/g,
      (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const query = [...new URLSearchParams(options.query ?? '')]
    .sort(([left], [right]) => (left < right ? -1 : 1))
    .map(([key, value]) => `${key}=${encode(value)}`)
    .join('&');
  const names = Object.keys(headers)
    .filter((name) => name.startsWith('x-acs-') || name === 'host' || name === 'content-type')
    .sort();
  const canonical = [
    options.method,
    options.path,
    query,
    names.map((name) => `${name}:${headers[name]?.trim()}\n`).join(''),
    names.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', options.accessKeySecret ?? emulator.account.accessKeySecret)
    .update(stringToSign)
    .digest('hex');
  const accessKeyId = options.accessKeyId ?? emulator.account.accessKeyId;
  const response = await request(
    `${emulator.url}${options.path}${options.query ? `?${options.query}` : ''}`,
    {
      method: options.method as 'GET',
      headers: {
        ...headers,
        // undici writes header strings one byte per character: the UTF-8 bytes go as such a string.
        ...Object.fromEntries(
          Object.entries(options.textHeaders ?? {}).map(([name, value]) => [
            name,
            Buffer.from(value, 'utf8').toString('latin1'),
          ]),
        ),
        ...options.unsignedHeaders,
        authorization: `ACS3-HMAC-SHA256 Credential=${accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}`,
      },
      body: body === '' ? undefined : body,
    },
  );
  return {
    status: response.statusCode,
    headers: response.headers,
    json: (await response.body.json()) as Record<string, unknown>,
  };
}
