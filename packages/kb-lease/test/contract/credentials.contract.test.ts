import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulator, type Emulator } from '@x/emulator';
import { alibabaCloudCredentials } from '@x/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnowledgeBaseClient } from '../../src/index.js';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();
/** How long each STS credential works on the emulator. */
const stsLifetimeMs = 6000;

describe('credentials from @alicloud/credentials (a credentials URI on loopback)', () => {
  let emulator: Emulator;
  let server: Server;
  let credentialsUri: string;
  const minted: { accessKeyId: string; atMs: number }[] = [];

  beforeAll(async () => {
    emulator = await createEmulator();
    server = createServer((_request, response) => {
      const sts = emulator.state.bailian.mintStsCredentials({ durationMs: stsLifetimeMs });
      minted.push({ accessKeyId: sts.accessKeyId, atMs: Date.now() });
      // The library refreshes 15 minutes before the stated expiration: stating 15 min + 3 s makes it refresh after
      // about 3 s, while the emulator really stops the key after 6 s.
      const expiration = `${new Date(Date.now() + 15 * 60_000 + 3000).toISOString().slice(0, 19)}Z`;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          Code: 'Success',
          AccessKeyId: sts.accessKeyId,
          AccessKeySecret: sts.accessKeySecret,
          SecurityToken: sts.securityToken,
          Expiration: expiration,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    credentialsUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sts`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await emulator.close();
  });

  it('signs a whole batch, refreshing the STS credentials across their expiry in the middle of it', async () => {
    const client = createKnowledgeBaseClient({
      endpoint: emulator.url,
      workspaceId: emulator.account.workspaceId,
      credentials: alibabaCloudCredentials({
        config: { type: 'credentials_uri', credentialsURI: credentialsUri },
      }),
    });
    const paths = await Promise.all(
      Array.from({ length: 5 }, (_, index) => context.file(`sts-${index}.pdf`, pdfBytes(`sts ${index}`))),
    );
    const startedAt = Date.now();
    const results = await client.uploadMany(paths, {
      concurrency: 1,
      pollIntervalMs: 200,
      maxPollIntervalMs: 500,
    });
    const elapsedMs = Date.now() - startedAt;
    await client.close();
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    expect(
      results.every((result) => result.status === 'fulfilled' && result.value.status === 'PARSE_SUCCESS'),
    ).toBe(true);
    // The batch outlived the first credentials, which the emulator stopped accepting: they were replaced in time.
    expect(elapsedMs).toBeGreaterThan(stsLifetimeMs);
    expect(minted.length).toBeGreaterThanOrEqual(2);
    const accounts = emulator.calls.filter((call) => call.route !== 'oss.putObject');
    expect(accounts.every((call) => call.status < 400 && call.account === emulator.account.name)).toBe(true);
    expect(emulator.state.bailian.files.size).toBe(5);
  }, 120_000);
});

describe('a wrong AccessKey', () => {
  it('a wrong secret: one sentence of the service, the hint, no string to sign and no secret', async () => {
    const wrongSecret = 'wrong-secret-Zq8Xv3Lp0Tn5';
    const client = context.client({
      credentials: { accessKeyId: context.credentials.accessKeyId, accessKeySecret: wrongSecret },
    });
    const error = (await client
      .describeFile('file_0123456789abcdef0123456789abcdef_1')
      .catch((caught: unknown) => caught)) as Error & { serviceCode?: string };
    expect(error.serviceCode).toBe('SignatureDoesNotMatch');
    expect(error.message).toMatch(
      /400 Bad Request \(SignatureDoesNotMatch, requestId=[^)]+\): Specified signature does not match our calculation\. Hint: the AccessKey secret does not match its ID/,
    );
    expect(error.message).not.toMatch(/string to sign|ACS3-HMAC-SHA256|\n/);
    expect(error.message).not.toContain(wrongSecret);
    expect(JSON.stringify(error)).not.toContain(wrongSecret);
    expect(error.message).not.toContain(context.credentials.accessKeySecret);
  });

  it('an unknown AccessKey ID: the hint names the ID', async () => {
    const client = context.client({
      credentials: {
        accessKeyId: 'LTAI-not-a-key-of-this-account',
        accessKeySecret: 'any-secret-Zq8Xv3Lp0Tn5',
      },
    });
    const error = (await client
      .describeFile('file_0123456789abcdef0123456789abcdef_1')
      .catch((caught: unknown) => caught)) as Error & { serviceCode?: string };
    expect(error.serviceCode).toBe('InvalidAccessKeyId.NotFound');
    expect(error.message).toMatch(/Hint: the AccessKey ID is not known to the service/);
    expect(error.message).not.toContain('any-secret-Zq8Xv3Lp0Tn5');
  });
});
