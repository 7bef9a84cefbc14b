// The bad-input catalogue: one table of bad inputs across the packages. Each gets its documented typed error (a
// TransportError subclass with a stable SCREAMING_SNAKE code; HashError / RateLimitError below transport), a message
// that names the value, no request where the check can come first, and no secret anywhere in the error.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createEmulator, type Emulator } from '@x/emulator';
import { HashError, hashFile, md5File } from '@x/hash';
import {
  createModelStudioLimiter,
  createQuotaLimiter,
  createRateLimiter,
  RateLimitError,
} from '@x/ratelimit';
import { createTempStorage, type TempStorage } from '@x/temp-oss';
import {
  acs3,
  bearer,
  createTransport,
  fileBody,
  formBody,
  multipartBody,
  type RequestBody,
  resolveApiKey,
  streamBody,
  type Transport,
  TransportError,
} from '@x/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedSecrets, secretsOf, visibleText } from './support/secrets.js';

let emulator: Emulator;
let folder: string;
let storage: TempStorage;
let transport: Transport;
const paths = {
  missing: '',
  directory: '',
  fifo: '',
  small: '',
  empty: '',
  overVlLimit: '',
};

beforeAll(async () => {
  emulator = await createEmulator({ limits: { isRateLimited: false } });
  folder = mkdtempSync(join(tmpdir(), 'bad-input-'));
  paths.missing = join(folder, 'missing.png');
  paths.directory = join(folder, 'a-directory');
  mkdirSync(paths.directory);
  paths.fifo = join(folder, 'a-fifo.png');
  execFileSync('mkfifo', [paths.fifo]);
  paths.small = join(folder, 'small.png');
  writeFileSync(paths.small, 'not really a png');
  paths.empty = join(folder, 'empty.png');
  writeFileSync(paths.empty, '');
  // qwen-vl-plus takes at most 100 MB through temporary storage: one byte more (a sparse file, nothing written).
  paths.overVlLimit = join(folder, 'one-byte-over.mp4');
  writeFileSync(paths.overVlLimit, '');
  truncateSync(paths.overVlLimit, 100 * 1024 * 1024 + 1);
  storage = createTempStorage({ apiKey: emulator.account.apiKey, baseUrl: emulator.url });
  transport = createTransport({ baseUrl: emulator.url, auth: bearer(emulator.account.apiKey), retry: false });
});

afterAll(async () => {
  await storage?.close();
  await transport?.close();
  await emulator?.close();
  rmSync(folder, { recursive: true, force: true });
});

interface BadInput {
  /** What is wrong. */
  readonly name: string;
  /** Runs the call; must throw or reject. */
  readonly run: () => unknown;
  /** The expected stable code. */
  readonly code: string;
  /** Text the message must contain: the offending value. */
  readonly names: () => string;
  /** Requests that may reach the emulator: 0 where the check can come first. */
  readonly requests?: number;
}

const skewedAcs3 = () =>
  acs3(
    { accessKeyId: emulator.account.accessKeyId, accessKeySecret: emulator.account.accessKeySecret },
    { now: () => new Date(Date.now() - 20 * 60_000) },
  );
const bailianPath = () =>
  `/${emulator.account.workspaceId}/datacenter/category/${emulator.account.categoryId}`;
const leaseRequest = (auth: ReturnType<typeof acs3>) =>
  transport.request({
    method: 'POST',
    path: bailianPath(),
    auth,
    headers: { 'x-acs-action': 'ApplyFileUploadLease', 'x-acs-version': '2023-12-29' },
    body: formBody({ FileName: 'a.pdf', Md5: '0'.repeat(32), SizeInBytes: 10, CategoryType: 'UNSTRUCTURED' }),
  });

const catalogue: BadInput[] = [
  // @x/hash
  {
    name: 'md5File: a missing file',
    run: () => md5File(paths.missing),
    code: 'FILE_NOT_FOUND',
    names: () => paths.missing,
  },
  {
    name: 'md5File: a directory',
    run: () => md5File(paths.directory),
    code: 'NOT_A_FILE',
    names: () => paths.directory,
  },
  { name: 'md5File: a FIFO', run: () => md5File(paths.fifo), code: 'NOT_A_FILE', names: () => paths.fifo },
  {
    name: 'hashFile: a read size that is not a number',
    run: () => hashFile('sha256', paths.small, { readSizeBytes: 'big' as unknown as number }),
    code: 'INVALID_OPTIONS',
    names: () => 'big',
  },
  {
    name: 'md5File: a negative read size',
    run: () => md5File(paths.small, { readSizeBytes: -1 }),
    code: 'INVALID_OPTIONS',
    names: () => '-1',
  },
  // @x/ratelimit
  {
    name: 'createRateLimiter: a negative limit',
    run: () => createRateLimiter({ limit: -5, intervalMs: 1000 }),
    code: 'INVALID_OPTIONS',
    names: () => '-5',
  },
  {
    name: 'createRateLimiter: an interval of the wrong type',
    run: () => createRateLimiter({ limit: 5, intervalMs: '1s' as unknown as number }),
    code: 'INVALID_OPTIONS',
    names: () => '1s',
  },
  {
    name: 'createRateLimiter: a negative concurrency',
    run: () => createRateLimiter({ limit: 5, intervalMs: 1000, concurrency: -2 }),
    code: 'INVALID_OPTIONS',
    names: () => '-2',
  },
  {
    name: 'quota limiter: a limitKey it does not know',
    run: () =>
      createQuotaLimiter({ quotas: { uploads: { limit: 1, intervalMs: 1000 } } }).acquire('downloads:key'),
    code: 'UNKNOWN_QUOTA',
    names: () => 'downloads',
  },
  {
    name: 'createModelStudioLimiter: a share over 1',
    run: () => createModelStudioLimiter({ share: 2 }),
    code: 'INVALID_OPTIONS',
    names: () => '2',
  },
  // @x/transport
  {
    name: 'createTransport: a baseUrl that is not http(s)',
    run: () => createTransport({ baseUrl: 'ftp://example.com' }),
    code: 'INVALID_OPTIONS',
    names: () => 'ftp://example.com',
  },
  {
    name: 'createTransport: a baseUrl of the wrong type',
    run: () => createTransport({ baseUrl: 42 as unknown as string }),
    code: 'INVALID_OPTIONS',
    names: () => '42',
  },
  {
    name: 'request: a body that is not one of the transport body kinds',
    run: () =>
      transport.request({
        method: 'POST',
        path: '/api/v1/uploads',
        body: { purpose: 'batch' } as unknown as RequestBody,
      }),
    code: 'INVALID_REQUEST',
    names: () => 'body',
  },
  {
    name: 'request: a string as the body',
    run: () =>
      transport.request({ method: 'POST', path: '/api/v1/uploads', body: 'text' as unknown as RequestBody }),
    code: 'INVALID_REQUEST',
    names: () => 'body',
  },
  {
    name: 'fileBody: a missing file',
    run: () => transport.request({ method: 'PUT', path: '/upload', body: fileBody(paths.missing) }),
    code: 'FILE_NOT_FOUND',
    names: () => paths.missing,
  },
  {
    name: 'fileBody: a directory',
    run: () => transport.request({ method: 'PUT', path: '/upload', body: fileBody(paths.directory) }),
    code: 'NOT_A_FILE',
    names: () => paths.directory,
  },
  {
    name: 'fileBody: a FIFO',
    run: () => transport.request({ method: 'PUT', path: '/upload', body: fileBody(paths.fifo) }),
    code: 'NOT_A_FILE',
    names: () => paths.fifo,
  },
  {
    name: 'multipartBody: a file part that does not exist',
    run: () =>
      transport.request({
        method: 'POST',
        path: '/upload',
        body: multipartBody([{ name: 'file', file: paths.missing, fileName: 'missing.png' }]),
      }),
    code: 'FILE_NOT_FOUND',
    names: () => paths.missing,
  },
  {
    name: 'streamBody: a negative size',
    run: () => streamBody(Readable.from([Buffer.from('x')]), { sizeBytes: -1 }),
    code: 'INVALID_SIZE',
    names: () => '-1',
  },
  {
    name: 'streamBody: a fractional size',
    run: () => streamBody(Readable.from([Buffer.from('x')]), { sizeBytes: 1.5 }),
    code: 'INVALID_SIZE',
    names: () => '1.5',
  },
  {
    name: 'acs3: a one-shot stream body cannot be signed',
    run: () =>
      transport.request({
        method: 'PUT',
        path: bailianPath(),
        auth: acs3({
          accessKeyId: emulator.account.accessKeyId,
          accessKeySecret: emulator.account.accessKeySecret,
        }),
        body: streamBody(Readable.from([Buffer.from('x')]), { sizeBytes: 1 }),
      }),
    code: 'UNSIGNABLE_BODY',
    names: () => 'body hash',
  },
  {
    name: 'resolveApiKey: no key anywhere',
    run: () => resolveApiKey(undefined, {}),
    code: 'CREDENTIALS_MISSING',
    names: () => 'DASHSCOPE_API_KEY',
  },
  {
    name: 'Bailian: a wrong AccessKey secret',
    run: () =>
      leaseRequest(
        acs3({ accessKeyId: emulator.account.accessKeyId, accessKeySecret: 'wrong-secret-0123456789' }),
      ),
    code: 'HTTP_STATUS',
    names: () => 'SignatureDoesNotMatch',
    requests: 1,
  },
  {
    name: 'Bailian: a wrong AccessKey ID',
    run: () =>
      leaseRequest(
        acs3({ accessKeyId: 'EMULATOR-AK-NOBODY', accessKeySecret: emulator.account.accessKeySecret }),
      ),
    code: 'HTTP_STATUS',
    names: () => 'InvalidAccessKeyId',
    requests: 1,
  },
  {
    name: 'Bailian: a clock skewed by 20 minutes',
    run: () => leaseRequest(skewedAcs3()),
    code: 'HTTP_STATUS',
    names: () => 'InvalidTimeStamp.Expired',
    requests: 1,
  },
  {
    name: 'Bailian: a wrong workspace',
    run: () =>
      transport.request({
        method: 'POST',
        path: `/llm-nope/datacenter/category/${emulator.account.categoryId}`,
        auth: acs3({
          accessKeyId: emulator.account.accessKeyId,
          accessKeySecret: emulator.account.accessKeySecret,
        }),
        headers: { 'x-acs-action': 'ApplyFileUploadLease', 'x-acs-version': '2023-12-29' },
        body: formBody({
          FileName: 'a.pdf',
          Md5: '0'.repeat(32),
          SizeInBytes: 10,
          CategoryType: 'UNSTRUCTURED',
        }),
      }),
    code: 'HTTP_STATUS',
    names: () => 'llm-nope',
    requests: 1,
  },
  // @x/temp-oss
  {
    name: 'temp-oss: a missing file',
    run: () => storage.upload(paths.missing, { model: 'qwen-vl-plus' }),
    code: 'FILE_NOT_FOUND',
    names: () => paths.missing,
  },
  {
    name: 'temp-oss: a directory',
    run: () => storage.upload(paths.directory, { model: 'qwen-vl-plus' }),
    code: 'NOT_A_FILE',
    names: () => paths.directory,
  },
  {
    name: 'temp-oss: a FIFO',
    run: () => storage.upload(paths.fifo, { model: 'qwen-vl-plus' }),
    code: 'NOT_A_FILE',
    names: () => paths.fifo,
  },
  {
    name: "temp-oss: a file over the model's limit by one byte",
    run: () => storage.upload(paths.overVlLimit, { model: 'qwen-vl-plus' }),
    code: 'FILE_TOO_LARGE',
    names: () => 'one-byte-over.mp4',
    requests: 1, // getPolicy says what the limit is; the file is never posted
  },
  {
    // file: URLs are percent-decoded whole, as the DashScope SDK reads them: %2F is a slash.
    name: 'temp-oss: a file:// URL with %2F in the path',
    run: () => storage.upload(`${pathToFileURL(folder).href}/a%2Fb.png`, { model: 'qwen-vl-plus' }),
    code: 'FILE_NOT_FOUND',
    names: () => join(folder, 'a', 'b.png'),
  },
  {
    // A # is part of the file name (the SDKs read `file://` paths literally), never a fragment.
    name: 'temp-oss: a file:// URL with # in it',
    run: () => storage.upload(`${pathToFileURL(paths.missing).href}#page=2`, { model: 'qwen-vl-plus' }),
    code: 'FILE_NOT_FOUND',
    names: () => `${paths.missing}#page=2`,
  },
  {
    name: 'temp-oss: a file:// URL on another host',
    run: () => storage.upload('file://fileserver/share/a.png', { model: 'qwen-vl-plus' }),
    code: 'INVALID_FILE_URL',
    names: () => 'fileserver',
  },
  {
    name: 'temp-oss: a path with .. that leads nowhere',
    run: () =>
      storage.upload(join(paths.directory, '..', '..', 'no-such-folder', '..', 'x.png'), {
        model: 'qwen-vl-plus',
      }),
    code: 'FILE_NOT_FOUND',
    names: () => 'x.png',
  },
  {
    name: 'temp-oss: an empty model name',
    run: () => storage.upload(paths.small, { model: '' }),
    code: 'INVALID_OPTIONS',
    names: () => 'model',
  },
  {
    name: 'temp-oss: a model name with spaces',
    run: () => storage.upload(paths.small, { model: 'qwen vl plus' }),
    code: 'INVALID_OPTIONS',
    names: () => 'model',
  },
  {
    name: 'temp-oss: a number where the file goes',
    run: () => storage.upload(42 as unknown as string, { model: 'qwen-vl-plus' }),
    code: 'INVALID_INPUT',
    names: () => 'got number',
  },
  {
    name: 'temp-oss: { stream, sizeBytes } with a negative size',
    run: () => storage.upload({ stream: () => Readable.from([]), sizeBytes: -3 }, { model: 'qwen-vl-plus' }),
    code: 'INVALID_SIZE',
    names: () => '-3',
  },
  {
    name: 'temp-oss: options of the wrong type',
    run: () => storage.upload(paths.small, 'qwen-vl-plus' as unknown as { model: string }),
    code: 'INVALID_OPTIONS',
    names: () => 'options',
  },
  {
    name: 'temp-oss: a negative concurrency',
    run: () => storage.uploadMany([paths.small], { model: 'qwen-vl-plus', concurrency: -1 }),
    code: 'INVALID_OPTIONS',
    names: () => 'concurrency',
  },
  {
    name: 'temp-oss: uploadMany with files that are not an array',
    run: () => storage.uploadMany(paths.small as unknown as string[], { model: 'qwen-vl-plus' }),
    code: 'INVALID_OPTIONS',
    names: () => 'files',
  },
  {
    name: 'temp-oss: a file name over 128 characters does not hide the size check, which names the path',
    run: () =>
      storage.upload(paths.overVlLimit, { model: 'qwen-vl-plus', fileName: `${'n'.repeat(300)}.mp4` }),
    code: 'FILE_TOO_LARGE',
    names: () => paths.overVlLimit,
  },
  {
    name: 'temp-oss: a Uint8Array over the limit by one byte, named by its file name',
    run: () =>
      storage.upload(new Uint8Array(100 * 1024 * 1024 + 1), { model: 'qwen-vl-plus', fileName: 'big.png' }),
    code: 'FILE_TOO_LARGE',
    names: () => 'big.png',
  },
  {
    name: 'temp-oss: an unknown region',
    run: () => createTempStorage({ apiKey: 'sk-x', region: 'mars-1' as 'cn-beijing' }),
    code: 'INVALID_OPTIONS',
    names: () => 'mars-1',
  },
  {
    name: 'temp-oss: a policy refresh margin of the wrong type',
    run: () => createTempStorage({ apiKey: 'sk-x', policyRefreshMarginMs: 'soon' as unknown as number }),
    code: 'INVALID_OPTIONS',
    names: () => 'policyRefreshMarginMs',
  },
  {
    name: 'temp-oss: a wrong API key',
    run: async () => {
      const wrong = createTempStorage({ apiKey: 'sk-wrong-key-0123456789', baseUrl: emulator.url });
      try {
        return await wrong.upload(paths.small, { model: 'qwen-vl-plus' });
      } finally {
        await wrong.close();
      }
    },
    code: 'HTTP_STATUS',
    names: () => 'InvalidApiKey',
    requests: 1,
  },
  {
    name: 'temp-oss: upload after close',
    run: async () => {
      const closed = createTempStorage({ apiKey: emulator.account.apiKey, baseUrl: emulator.url });
      await closed.close();
      return closed.upload(paths.small, { model: 'qwen-vl-plus' });
    },
    code: 'CLIENT_CLOSED',
    names: () => 'closed',
  },
  {
    name: 'temp-oss: resolveLocalFiles with a file:// URL that does not exist',
    run: () =>
      storage.resolveLocalFiles(
        [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: pathToFileURL(paths.missing).href } }],
          },
        ],
        { model: 'qwen-vl-plus' },
      ),
    code: 'FILE_NOT_FOUND',
    names: () => 'missing.png',
  },
];

function isTyped(error: unknown): error is Error & { code: string } {
  return TransportError.isInstance(error) || HashError.isInstance(error) || RateLimitError.isInstance(error);
}

describe('bad-input catalogue', () => {
  it('has at least 40 entries', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(40);
  });

  it.each(catalogue.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const before = emulator.calls.length;
    let error: unknown;
    try {
      await entry.run();
    } catch (caught) {
      error = caught;
    }
    expect(error, 'no error was thrown').toBeDefined();
    expect(isTyped(error), `a typed error, got ${String(error)}`).toBe(true);
    const typed = error as Error & { code: string };
    expect(typed.constructor).not.toBe(TypeError);
    expect(typed.code).toBe(entry.code);
    expect(typed.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(typed.message).toContain(entry.names());
    expect(leakedSecrets(visibleText(error), secretsOf(emulator))).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(emulator.calls.length - before, 'requests sent').toBe(entry.requests ?? 0);
  });
});
