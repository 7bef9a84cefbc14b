import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { alibabaCloudCredentials } from './alibaba-cloud-credentials.js';
import { CredentialsError } from './credentials-error.js';

describe('alibabaCloudCredentials', () => {
  it('passes the keys, token and provider name on as the library reports them', async () => {
    const provider = alibabaCloudCredentials({
      credential: {
        getCredential: async () => ({
          accessKeyId: 'STS.id',
          accessKeySecret: 'secret-value',
          securityToken: 'token-value',
          providerName: 'credential_uri',
        }),
      },
    });
    expect(await provider({})).toEqual({
      accessKeyId: 'STS.id',
      accessKeySecret: 'secret-value',
      securityToken: 'token-value',
      providerName: 'credential_uri',
    });
  });

  it('builds a Credential of @alicloud/credentials from a config', async () => {
    const provider = alibabaCloudCredentials({
      config: { type: 'access_key', accessKeyId: 'AK-ID', accessKeySecret: 'AK-SECRET' },
    });
    const credentials = await provider({});
    expect(credentials).toMatchObject({ accessKeyId: 'AK-ID', accessKeySecret: 'AK-SECRET' });
    expect(credentials.providerName).toEqual(expect.any(String));
  });

  it('fails with CredentialsError and no secret when the credentials URI answers something unusable', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ AccessKeyId: 'STS.leak', AccessKeySecret: 'do-not-print-this-secret' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const provider = alibabaCloudCredentials({ config: { type: 'credentials_uri', credentialsURI: uri } });
      const error = await provider({}).catch((caught: unknown) => caught);
      expect(CredentialsError.isInstance(error)).toBe(true);
      expect(JSON.stringify((error as CredentialsError).toJSON())).not.toContain('do-not-print-this-secret');
      expect((error as Error).message).not.toContain('do-not-print-this-secret');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('rethrows an abort as signal.reason', async () => {
    const controller = new AbortController();
    const provider = alibabaCloudCredentials({ credential: { getCredential: () => new Promise(() => {}) } });
    const pending = provider({ signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});
