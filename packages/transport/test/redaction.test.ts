import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  acs3,
  bearer,
  bytesBody,
  createTransport,
  type Logger,
  none,
  resolveAccessKey,
  streamBody,
  type Transport,
  TransportError,
} from '../src/index.js';
import { type LoopbackServer, startServer } from './helpers.js';

const secrets = {
  apiKey: 'sk-redaction-apikey-0001',
  accessKeySecret: 'AKSECRET-redaction-0002',
  securityToken: 'CAIS.redaction-token-0003',
  presignedSignature: 'U2lnbmF0dXJlUmVkYWN0aW9uMDAwNA',
  presignedToken: 'STS.presigned-token-0005',
};

/** Every Authorization header and ACS3 signature the servers saw: none may be printed either. */
const seenAuthorizations: string[] = [];
const logLines: string[] = [];
const logger: Logger = {
  debug: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields)}`),
  info: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields)}`),
  warn: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields)}`),
  error: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields)}`),
};

let echo: LoopbackServer;
let silent: LoopbackServer;
const transports: Transport[] = [];

beforeAll(async () => {
  // The worst-case server: it echoes every header and the full URL back in its error body, JSON and XML.
  echo = await startServer((request, response) => {
    const authorization = request.headers.authorization;
    if (authorization) {
      seenAuthorizations.push(authorization);
      const signature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
      if (signature) seenAuthorizations.push(signature);
    }
    const path = request.url ?? '';
    if (path.startsWith('/oss')) {
      response.writeHead(403, { 'content-type': 'application/xml', 'x-oss-request-id': 'oss-1' });
      response.end(
        `<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>bad ${path}</Message>` +
          `<RequestId>oss-1</RequestId><SignatureProvided>${secrets.presignedSignature}</SignatureProvided>` +
          `<StringToSign>PUT\n\n${secrets.presignedToken}</StringToSign></Error>`,
      );
      return;
    }
    const status = path.startsWith('/ok') ? 200 : path.startsWith('/busy') ? 503 : 403;
    response.writeHead(status, { 'content-type': 'application/json', 'x-acs-request-id': 'req-1' });
    response.end(
      JSON.stringify({
        RequestId: 'req-1',
        Code: 'InvalidAccessKeyId',
        Message: `echo ${JSON.stringify(request.headers)} ${path}`,
        headers: request.headers,
      }),
    );
  });
  silent = await startServer(() => {});
});

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await echo.close();
  await silent.close();
});

function make(
  baseUrl: string,
  auth = bearer(secrets.apiKey),
  retry: false | { maxAttempts: number; baseDelayMs: number } = false,
) {
  const transport = createTransport({ baseUrl, auth, logger, retry, timeouts: { headersMs: 200 } });
  transports.push(transport);
  return transport;
}

const sts = () =>
  acs3({
    accessKeyId: 'AK-visible-id',
    accessKeySecret: secrets.accessKeySecret,
    securityToken: secrets.securityToken,
  });

async function failure(run: () => Promise<unknown>): Promise<TransportError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(TransportError.isInstance(error)).toBe(true);
  return error as TransportError;
}

function printed(error: TransportError): string {
  return [
    error.message,
    String(error),
    error.stack ?? '',
    JSON.stringify(error),
    JSON.stringify(error.toJSON()),
    inspect(error, { depth: 10 }),
  ].join('\n');
}

describe('no secret is printed by any error, its toJSON() or a log line', () => {
  const cases: [string, () => Promise<TransportError>, string][] = [
    [
      'HttpStatusError (bearer; the server echoes the Authorization header)',
      () => failure(() => make(echo.url).request({ method: 'GET', path: '/denied' })),
      'HTTP_STATUS',
    ],
    [
      'HttpStatusError (ACS3 with STS; the server echoes the signature and the token)',
      () =>
        failure(() =>
          make(echo.url, sts()).request({
            method: 'POST',
            path: '/denied',
            body: bytesBody(secrets.apiKey),
            operation: 'AddFile',
          }),
        ),
      'HTTP_STATUS',
    ],
    [
      'HttpStatusError (pre-signed URL; OSS XML echoes SignatureProvided)',
      () =>
        failure(() =>
          make(echo.url, none()).request({
            method: 'PUT',
            path: `${echo.url}/oss/key.pdf?Expires=1&OSSAccessKeyId=AK-ID&Signature=${secrets.presignedSignature}&security-token=${secrets.presignedToken}`,
            body: bytesBody('x'),
          }),
        ),
      'HTTP_STATUS',
    ],
    [
      'NetworkError (connection refused to a pre-signed URL)',
      () =>
        failure(() =>
          make('http://127.0.0.1:1', none()).request({
            method: 'PUT',
            path: `http://127.0.0.1:1/k?Signature=${secrets.presignedSignature}&security-token=${secrets.presignedToken}`,
          }),
        ),
      'NETWORK',
    ],
    [
      'TimeoutError (headers; ACS3 with STS)',
      () => failure(() => make(silent.url, sts()).request({ method: 'POST', path: '/slow' })),
      'TIMEOUT',
    ],
    [
      'ResponseValidationError (the body echoes the headers)',
      () =>
        failure(() =>
          make(echo.url, sts()).request({
            method: 'GET',
            path: '/ok',
            schema: z.object({ Data: z.object({ FileId: z.string() }) }),
          }),
        ),
      'RESPONSE_VALIDATION',
    ],
    [
      'RetriesExhaustedError (bearer; 503 echoes the key)',
      () =>
        failure(() =>
          make(echo.url, bearer(secrets.apiKey), { maxAttempts: 2, baseDelayMs: 1 }).request({
            method: 'GET',
            path: '/busy',
          }),
        ),
      'RETRIES_EXHAUSTED',
    ],
    [
      'CredentialsError (the secret is set, the id is not)',
      () =>
        failure(() =>
          resolveAccessKey(undefined, {
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: secrets.accessKeySecret,
            ALIBABA_CLOUD_SECURITY_TOKEN: secrets.securityToken,
            ALIBABA_CLOUD_CREDENTIALS_FILE: '/nonexistent/credentials',
          }),
        ),
      'CREDENTIALS_MISSING',
    ],
    [
      'InvalidInputError (ACS3 cannot sign a one-shot stream)',
      () =>
        failure(() =>
          make(echo.url, sts()).request({
            method: 'PUT',
            path: '/x',
            body: streamBody(Readable.from([Buffer.from(secrets.apiKey)]), {
              sizeBytes: secrets.apiKey.length,
            }),
          }),
        ),
      'UNSIGNABLE_BODY',
    ],
  ];

  for (const [name, run, code] of cases) {
    it(name, async () => {
      const error = await run();
      expect(error.code).toBe(code);
      const text = `${printed(error)}\n${logLines.join('\n')}`;
      for (const [slot, secret] of Object.entries(secrets)) {
        expect(text.includes(secret), `${slot} printed`).toBe(false);
      }
      for (const authorization of seenAuthorizations) {
        expect(text.includes(authorization), 'an Authorization value or signature printed').toBe(false);
      }
    });
  }

  it('still says what happened: method, path, status, service code and request id', async () => {
    const error = await failure(() =>
      make(echo.url, sts()).request({ method: 'PUT', path: '/llm-xxx/datacenter/file' }),
    );
    expect(error.message).toMatch(
      /^PUT \/llm-xxx\/datacenter\/file: 403 Forbidden \(InvalidAccessKeyId, requestId=req-1\)/,
    );
    expect(error.toJSON()).toMatchObject({
      code: 'HTTP_STATUS',
      status: 403,
      serviceCode: 'InvalidAccessKeyId',
      requestId: 'req-1',
    });
    expect(seenAuthorizations.length).toBeGreaterThan(3);
    expect(logLines.length).toBeGreaterThan(0);
  });
});
