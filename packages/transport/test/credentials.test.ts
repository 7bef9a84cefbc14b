import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  acs3,
  bearer,
  CredentialsError,
  createTransport,
  resolveAccessKey,
  resolveApiKey,
} from '../src/index.js';
import { sendJson, startServer } from './helpers.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'x-transport-credentials-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveApiKey', () => {
  it('prefers the explicit key, then DASHSCOPE_API_KEY', () => {
    expect(resolveApiKey('sk-explicit', { DASHSCOPE_API_KEY: 'sk-env' })).toBe('sk-explicit');
    expect(resolveApiKey(undefined, { DASHSCOPE_API_KEY: 'sk-env' })).toBe('sk-env');
  });

  it('throws CREDENTIALS_MISSING naming what it looked at', () => {
    const error = (() => {
      try {
        return resolveApiKey(undefined, {});
      } catch (caught) {
        return caught;
      }
    })();
    expect(CredentialsError.isInstance(error)).toBe(true);
    expect((error as CredentialsError).code).toBe('CREDENTIALS_MISSING');
    expect((error as CredentialsError).message).toContain('DASHSCOPE_API_KEY');
    expect((error as CredentialsError).lookedAt).toEqual(['apiKey option', 'DASHSCOPE_API_KEY']);
  });
});

describe('resolveAccessKey', () => {
  it('uses explicit credentials first', async () => {
    await expect(resolveAccessKey({ accessKeyId: 'id', accessKeySecret: 'secret' }, {})).resolves.toEqual({
      accessKeyId: 'id',
      accessKeySecret: 'secret',
      providerName: 'static_ak',
    });
  });

  it('reads the environment, security token included', async () => {
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'env-id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret',
      ALIBABA_CLOUD_SECURITY_TOKEN: 'env-token',
    };
    await expect(resolveAccessKey(undefined, env)).resolves.toEqual({
      accessKeyId: 'env-id',
      accessKeySecret: 'env-secret',
      securityToken: 'env-token',
      providerName: 'default/env',
    });
  });

  it('reads the profile file named by ALIBABA_CLOUD_CREDENTIALS_FILE and ALIBABA_CLOUD_PROFILE', async () => {
    const file = join(directory, 'credentials');
    await writeFile(
      file,
      '[default]\ntype = access_key\naccess_key_id = default-id\naccess_key_secret = default-secret\n\n' +
        '[dev]\ntype = access_key\naccess_key_id = dev-id\naccess_key_secret = dev-secret\n',
    );
    await expect(
      resolveAccessKey(undefined, { ALIBABA_CLOUD_CREDENTIALS_FILE: file }),
    ).resolves.toMatchObject({
      accessKeyId: 'default-id',
      accessKeySecret: 'default-secret',
      providerName: 'default/profile',
    });
    await expect(
      resolveAccessKey(undefined, { ALIBABA_CLOUD_CREDENTIALS_FILE: file, ALIBABA_CLOUD_PROFILE: 'dev' }),
    ).resolves.toMatchObject({ accessKeyId: 'dev-id', accessKeySecret: 'dev-secret' });
  });

  it('reads ~/.alibabacloud/credentials under HOME', async () => {
    const home = join(directory, 'home');
    await import('node:fs/promises').then(({ mkdir }) =>
      mkdir(join(home, '.alibabacloud'), { recursive: true }),
    );
    await writeFile(
      join(home, '.alibabacloud', 'credentials'),
      '[default]\naccess_key_id = h-id\naccess_key_secret = h-secret\n',
    );
    await expect(resolveAccessKey(undefined, { HOME: home })).resolves.toMatchObject({ accessKeyId: 'h-id' });
  });

  it.each([
    [
      'UTF-8 with a byte-order mark and CRLF',
      (text: string) => Buffer.from(`\uFEFF${text.replaceAll('\n', '\r\n')}`, 'utf8'),
    ],
    ['UTF-8 with a byte-order mark', (text: string) => Buffer.from(`\uFEFF${text}`, 'utf8')],
    ['CRLF line ends', (text: string) => Buffer.from(text.replaceAll('\n', '\r\n'), 'utf8')],
    [
      'UTF-16 LE with its mark (Notepad)',
      (text: string) => Buffer.from(`\uFEFF${text.replaceAll('\n', '\r\n')}`, 'utf16le'),
    ],
    ['UTF-16 BE with its mark', (text: string) => Buffer.from(`\uFEFF${text}`, 'utf16le').swap16()],
  ])('reads a profile file saved as %s', async (_kind, encode) => {
    const file = join(directory, `credentials-${_kind.replace(/\W+/g, '-')}`);
    await writeFile(file, encode('[default]\naccess_key_id = bom-id\naccess_key_secret = bom-secret\n'));
    await expect(
      resolveAccessKey(undefined, { ALIBABA_CLOUD_CREDENTIALS_FILE: file }),
    ).resolves.toMatchObject({
      accessKeyId: 'bom-id',
      accessKeySecret: 'bom-secret',
    });
  });

  it('says what the file has when the profile is not there', async () => {
    const file = join(directory, 'credentials-other');
    await writeFile(
      file,
      '[prod]\naccess_key_id = p\naccess_key_secret = s\n[test]\naccess_key_id = t\naccess_key_secret = s\n',
    );
    const error = await resolveAccessKey(undefined, { ALIBABA_CLOUD_CREDENTIALS_FILE: file }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain(
      `add a [default] profile to ${file}; that file has [prod], [test]`,
    );
    const empty = join(directory, 'credentials-empty');
    await writeFile(empty, '');
    const emptyError = await resolveAccessKey(undefined, { ALIBABA_CLOUD_CREDENTIALS_FILE: empty }).catch(
      (caught: unknown) => caught,
    );
    expect((emptyError as Error).message).toContain('that file has no [profile] sections (it is empty)');
  });

  it('throws CREDENTIALS_MISSING naming every variable and file looked at', async () => {
    const file = join(directory, 'missing');
    const error = await resolveAccessKey(undefined, { ALIBABA_CLOUD_CREDENTIALS_FILE: file }).catch(
      (caught: unknown) => caught,
    );
    expect(CredentialsError.isInstance(error)).toBe(true);
    expect((error as CredentialsError).lookedAt).toEqual([
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      `${file} [default]`,
    ]);
    expect((error as Error).message).toContain(file);
  });

  it('rejects a profile of an unsupported type, without printing its keys', async () => {
    const file = join(directory, 'role');
    await writeFile(
      file,
      '[default]\ntype = ram_role_arn\naccess_key_id = x\naccess_key_secret = very-secret-value\n',
    );
    const error = await resolveAccessKey(undefined, { ALIBABA_CLOUD_CREDENTIALS_FILE: file }).catch(
      (caught: unknown) => caught,
    );
    expect(CredentialsError.isInstance(error)).toBe(true);
    expect(JSON.stringify(error)).not.toContain('very-secret-value');
  });
});

describe('lazy resolution', () => {
  it('builds strategies without credentials, and fails the first request before a byte is sent', async () => {
    vi.stubEnv('DASHSCOPE_API_KEY', '');
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', '');
    vi.stubEnv('ALIBABA_CLOUD_CREDENTIALS_FILE', join(directory, 'none'));
    const server = await startServer((_request, response) => sendJson(response, 200, {}));
    const withBearer = createTransport({ baseUrl: server.url, auth: bearer() });
    const withAcs3 = createTransport({ baseUrl: server.url, auth: acs3() });
    await expect(withBearer.request({ method: 'GET', path: '/' })).rejects.toMatchObject({
      code: 'CREDENTIALS_MISSING',
    });
    await expect(withAcs3.request({ method: 'GET', path: '/' })).rejects.toMatchObject({
      code: 'CREDENTIALS_MISSING',
    });
    expect(server.requests).toHaveLength(0);
    vi.stubEnv('DASHSCOPE_API_KEY', 'sk-later');
    await withBearer.request({ method: 'GET', path: '/' });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-later');
    await Promise.all([withBearer.close(), withAcs3.close(), server.close()]);
  });
});
