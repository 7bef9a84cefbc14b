// The bad-input catalogue: one table of bad inputs across the packages. Each gets its documented typed error (a
// TransportError subclass with a stable SCREAMING_SNAKE code; HashError / RateLimitError below transport), a message
// that names the value, no request where the check can come first, and no secret anywhere in the error.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createEmulator, type Emulator } from '@x/emulator';
import { HashError, hashFile, md5File } from '@x/hash';
import { createKnowledgeBaseClient, type KnowledgeBaseClient } from '@x/kb-lease';
import { createFilesClient, type FilesClient } from '@x/openai-files';
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
import { applyLease } from './support/requests.js';
import { cliEnv, runCli } from './support/run-cli.js';
import { leakedSecrets, secretsOf, visibleText } from './support/secrets.js';

let emulator: Emulator;
let folder: string;
let storage: TempStorage;
let transport: Transport;
let files: FilesClient;
let knowledgeBase: KnowledgeBaseClient;
const paths = {
  missing: '',
  directory: '',
  fifo: '',
  small: '',
  empty: '',
  overVlLimit: '',
  notes: '',
  emptyText: '',
  csv: '',
  badLine: '',
  duplicateId: '',
  overFilesLimit: '',
  fakePdf: '',
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
  paths.notes = join(folder, 'notes.txt');
  writeFileSync(paths.notes, 'meeting notes\n');
  paths.emptyText = join(folder, 'empty.txt');
  writeFileSync(paths.emptyText, '');
  const request = (id: string) =>
    JSON.stringify({
      custom_id: id,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'qwen-plus' },
    });
  paths.csv = join(folder, 'requests.csv');
  writeFileSync(paths.csv, 'custom_id,question\nq-1,hello\n');
  paths.badLine = join(folder, 'bad-line.jsonl');
  writeFileSync(
    paths.badLine,
    [request('q-1'), request('q-2'), '{"custom_id": "q-3",', request('q-4')].join('\n'),
  );
  paths.duplicateId = join(folder, 'duplicate.jsonl');
  writeFileSync(paths.duplicateId, [request('q-1'), request('q-2'), request('q-1')].join('\n'));
  // The Files API takes at most 150 MB for file-extract: one byte more (sparse).
  paths.overFilesLimit = join(folder, 'one-byte-over.txt');
  writeFileSync(paths.overFilesLimit, '');
  truncateSync(paths.overFilesLimit, 150 * 1024 * 1024 + 1);
  paths.fakePdf = join(folder, 'fake.pdf');
  writeFileSync(paths.fakePdf, 'plain text, not a PDF');
  files = createFilesClient({ apiKey: emulator.account.apiKey, baseUrl: emulator.url, retry: false });
  knowledgeBase = createKnowledgeBaseClient({
    workspaceId: emulator.account.workspaceId,
    endpoint: emulator.url,
    credentials: accessKey(),
  });
  storage = createTempStorage({ apiKey: emulator.account.apiKey, baseUrl: emulator.url });
  transport = createTransport({ baseUrl: emulator.url, auth: bearer(emulator.account.apiKey), retry: false });
});

afterAll(async () => {
  await files?.close();
  await knowledgeBase?.close();
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

const accessKey = () => ({
  accessKeyId: emulator.account.accessKeyId,
  accessKeySecret: emulator.account.accessKeySecret,
});
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
  // @x/openai-files
  {
    name: 'openai-files: a purpose the Files API does not take',
    run: () => files.upload(paths.notes, { purpose: 'fine-tune' as 'batch' }),
    code: 'INVALID_OPTIONS',
    names: () => 'purpose',
  },
  {
    name: 'openai-files: a batch file that is not JSONL',
    run: () => files.upload(paths.csv, { purpose: 'batch' }),
    code: 'UNSUPPORTED_FILE_TYPE',
    names: () => 'requests.csv',
  },
  {
    name: 'openai-files: a JSONL batch with one bad line in the middle, named by its number',
    run: () => files.upload(paths.badLine, { purpose: 'batch' }),
    code: 'INVALID_BATCH_INPUT',
    names: () => 'line 3',
  },
  {
    name: 'openai-files: a JSONL batch with a duplicate custom_id',
    run: () => files.upload(paths.duplicateId, { purpose: 'batch' }),
    code: 'INVALID_BATCH_INPUT',
    names: () => 'q-1',
  },
  {
    name: 'openai-files: a file-extract file over 150 MB by one byte',
    run: () => files.upload(paths.overFilesLimit, { purpose: 'file-extract' }),
    code: 'FILE_TOO_LARGE',
    names: () => 'one-byte-over.txt',
  },
  {
    name: 'openai-files: a file-extract type the service does not read',
    run: () =>
      files.upload(new TextEncoder().encode('slides'), { purpose: 'file-extract', fileName: 'deck.pptx' }),
    code: 'UNSUPPORTED_FILE_TYPE',
    names: () => 'deck.pptx',
  },
  {
    name: 'openai-files: a .pdf that is not a PDF',
    run: () => files.upload(paths.fakePdf, { purpose: 'file-extract' }),
    code: 'FILE_TYPE_MISMATCH',
    names: () => 'fake.pdf',
  },
  {
    name: 'openai-files: an empty file',
    run: () => files.upload(paths.emptyText, { purpose: 'file-extract' }),
    code: 'FILE_EMPTY',
    names: () => 'empty.txt',
  },
  {
    name: 'openai-files: bytes without a file name',
    run: () => files.upload(new TextEncoder().encode('notes'), { purpose: 'file-extract' }),
    code: 'FILE_NAME_REQUIRED',
    names: () => 'fileName',
  },
  {
    name: 'openai-files: a blank file id',
    run: () => files.retrieve('   '),
    code: 'INVALID_FILE_ID',
    names: () => '"   "',
  },
  // Ids are checked against the documented form, leniently ("file-" and URL-safe characters; spec openai-files.md),
  // so nothing that could leave its path segment is sent.
  {
    name: 'openai-files: a file id with ../ (retrieve)',
    run: () => files.retrieve('../../etc/passwd'),
    code: 'INVALID_FILE_ID',
    names: () => '"../../etc/passwd"',
  },
  {
    name: 'openai-files: a file id with ../ after a valid prefix (delete)',
    run: () => files.delete('file-fe-../../etc/passwd'),
    code: 'INVALID_FILE_ID',
    names: () => '"file-fe-../../etc/passwd"',
  },
  {
    name: 'openai-files: a file id carrying a query (content)',
    run: () => files.content('file-fe-abc?purpose=batch'),
    code: 'INVALID_FILE_ID',
    names: () => '"file-fe-abc?purpose=batch"',
  },
  {
    name: 'openai-files: a file id with an escaped slash (download)',
    run: () => files.download('file-fe-a%2Fb', join(folder, 'never-written.txt')),
    code: 'INVALID_FILE_ID',
    names: () => '"file-fe-a%2Fb"',
  },
  {
    name: 'openai-files: a file id without the file- prefix (waitUntilProcessed)',
    run: () => files.waitUntilProcessed('fe-abc', { intervalMs: 10 }),
    code: 'INVALID_FILE_ID',
    names: () => '"fe-abc"',
  },
  {
    name: 'openai-files: a list page over 2000',
    run: () => files.list({ limit: 5000 }),
    code: 'INVALID_OPTIONS',
    names: () => 'limit',
  },
  {
    name: 'openai-files: a negative concurrency',
    run: () => files.uploadMany([paths.notes], { purpose: 'file-extract', concurrency: -1 }),
    code: 'INVALID_OPTIONS',
    names: () => 'concurrency',
  },
  {
    name: 'openai-files: a wrong API key',
    run: async () => {
      const wrong = createFilesClient({
        apiKey: 'sk-wrong-key-0123456789',
        baseUrl: emulator.url,
        retry: false,
      });
      try {
        return await wrong.upload(paths.notes, { purpose: 'file-extract' });
      } finally {
        await wrong.close();
      }
    },
    code: 'HTTP_STATUS',
    names: () => 'InvalidApiKey',
    requests: 1,
  },
  // @x/kb-lease
  {
    name: 'kb-lease: a tag with a space',
    run: () => knowledgeBase.uploadDocument(paths.notes, { tags: ['two words'] }),
    code: 'INVALID_TAGS',
    names: () => 'two words',
  },
  {
    name: 'kb-lease: a tag over 32 characters',
    run: () => knowledgeBase.uploadDocument(paths.notes, { tags: ['t'.repeat(33)] }),
    code: 'INVALID_TAGS',
    names: () => 't'.repeat(33),
  },
  {
    name: 'kb-lease: a file name without an extension',
    run: () => knowledgeBase.uploadDocument(paths.notes, { fileName: 'README' }),
    code: 'INVALID_FILE_NAME',
    names: () => 'README',
  },
  {
    name: 'kb-lease: a file name over 128 characters',
    run: () => knowledgeBase.uploadDocument(paths.notes, { fileName: `${'n'.repeat(130)}.txt` }),
    code: 'INVALID_FILE_NAME',
    names: () => 'n'.repeat(130),
  },
  {
    name: 'kb-lease: a type the knowledge base does not parse',
    run: () => knowledgeBase.uploadDocument(paths.notes, { fileName: 'program.exe' }),
    code: 'UNSUPPORTED_FILE_TYPE',
    names: () => 'program.exe',
  },
  {
    name: 'kb-lease: an empty document',
    run: () => knowledgeBase.uploadDocument(paths.emptyText),
    code: 'FILE_EMPTY',
    names: () => 'empty.txt',
  },
  {
    name: 'kb-lease: a missing file',
    run: () => knowledgeBase.uploadDocument(paths.missing),
    code: 'FILE_NOT_FOUND',
    names: () => paths.missing,
  },
  {
    name: 'kb-lease: a directory',
    run: () => knowledgeBase.uploadDocument(paths.directory),
    code: 'NOT_A_FILE',
    names: () => paths.directory,
  },
  {
    name: 'kb-lease: a FIFO',
    run: () => knowledgeBase.uploadDocument(paths.fifo),
    code: 'NOT_A_FILE',
    names: () => paths.fifo,
  },
  {
    name: 'kb-lease: tags of the wrong type',
    run: () => knowledgeBase.uploadDocument(paths.notes, { tags: 'hr' as unknown as string[] }),
    code: 'INVALID_OPTIONS',
    names: () => 'tags',
  },
  {
    name: 'kb-lease: a number where the document goes',
    run: () => knowledgeBase.uploadDocument(42 as unknown as string),
    code: 'INVALID_INPUT',
    names: () => 'number',
  },
  {
    name: 'kb-lease: an endpoint that is not http(s)',
    run: () =>
      createKnowledgeBaseClient({
        workspaceId: 'llm-x',
        endpoint: 'ftp://example.com',
        credentials: accessKey(),
      }),
    code: 'INVALID_ENDPOINT',
    names: () => 'ftp://example.com',
  },
  {
    name: 'kb-lease: a SESSION_FILE outside the default category',
    run: () =>
      knowledgeBase.uploadDocument(paths.notes, { categoryType: 'SESSION_FILE', categoryId: 'cate_x' }),
    code: 'INVALID_CATEGORY',
    names: () => 'cate_x',
  },
  {
    name: 'openai-files: a number where the file goes',
    run: () => files.upload(42 as unknown as string, { purpose: 'file-extract' }),
    code: 'INVALID_INPUT',
    names: () => 'number',
  },
  {
    name: 'openai-files: a directory',
    run: () => files.upload(paths.directory, { purpose: 'file-extract' }),
    code: 'NOT_A_FILE',
    names: () => paths.directory,
  },
  {
    name: 'openai-files: a FIFO',
    run: () => files.upload(paths.fifo, { purpose: 'batch' }),
    code: 'NOT_A_FILE',
    names: () => paths.fifo,
  },
  {
    name: 'kb-lease: a FileId with ../ (describeFile)',
    run: () => knowledgeBase.describeFile('../../datacenter/files'),
    code: 'INVALID_FILE_ID',
    names: () => '"../../datacenter/files"',
  },
  {
    name: 'kb-lease: a FileId with a slash (deleteFile)',
    run: () => knowledgeBase.deleteFile('file_1/../file_2'),
    code: 'INVALID_FILE_ID',
    names: () => '"file_1/../file_2"',
  },
  {
    name: 'kb-lease: a CategoryId with ../ (deleteCategory)',
    run: () => knowledgeBase.deleteCategory('../default'),
    code: 'INVALID_CATEGORY_ID',
    names: () => '"../default"',
  },
  {
    name: 'kb-lease: a CategoryId with a query (uploadDocument)',
    run: () => knowledgeBase.uploadDocument(paths.notes, { categoryId: 'cate_x?MaxResults=1' }),
    code: 'INVALID_CATEGORY_ID',
    names: () => '"cate_x?MaxResults=1"',
  },
  {
    name: 'kb-lease: an IndexId with a space (addDocumentsToIndex)',
    run: () => knowledgeBase.addDocumentsToIndex('idx 1', ['file_1']),
    code: 'INVALID_INDEX_ID',
    names: () => '"idx 1"',
  },
  {
    name: 'kb-lease: a JobId with ../ (waitForIndexJob)',
    run: () => knowledgeBase.waitForIndexJob('jkurxhju6b', '../job'),
    code: 'INVALID_JOB_ID',
    names: () => '"../job"',
  },
  {
    name: 'kb-lease: a document id with ../ (deleteIndexDocuments)',
    run: () => knowledgeBase.deleteIndexDocuments('jkurxhju6b', ['file_1', '../file_2']),
    code: 'INVALID_FILE_ID',
    names: () => '"../file_2"',
  },
  {
    name: 'kb-lease: an MD5 that is not 32 hex characters',
    run: () => knowledgeBase.uploadDocument(paths.notes, { md5: 'abc' }),
    code: 'INVALID_OPTIONS',
    names: () => 'md5',
  },
  {
    name: 'kb-lease: a negative concurrency',
    run: () => knowledgeBase.uploadMany([paths.notes], { concurrency: -1 }),
    code: 'INVALID_OPTIONS',
    names: () => 'concurrency',
  },
  {
    name: 'kb-lease: a wrong workspace',
    run: async () => {
      const elsewhere = createKnowledgeBaseClient({
        workspaceId: 'llm-nope',
        endpoint: emulator.url,
        credentials: accessKey(),
      });
      try {
        return await elsewhere.uploadDocument(paths.notes, { wait: false });
      } finally {
        await elsewhere.close();
      }
    },
    code: 'HTTP_STATUS',
    names: () => 'llm-nope',
    requests: 1,
  },
  {
    name: 'kb-lease: a wrong AccessKey secret',
    run: async () => {
      const wrong = createKnowledgeBaseClient({
        workspaceId: emulator.account.workspaceId,
        endpoint: emulator.url,
        credentials: {
          accessKeyId: emulator.account.accessKeyId,
          accessKeySecret: 'wrong-secret-0123456789',
        },
      });
      try {
        return await wrong.uploadDocument(paths.notes, { wait: false });
      } finally {
        await wrong.close();
      }
    },
    code: 'HTTP_STATUS',
    names: () => 'SignatureDoesNotMatch',
    requests: 1,
  },
  {
    name: 'kb-lease: a clock skewed by 20 minutes',
    run: async () => {
      const skewed = createTransport({ baseUrl: emulator.url, auth: skewedAcs3(), retry: false });
      const late = createKnowledgeBaseClient({
        workspaceId: emulator.account.workspaceId,
        transport: skewed,
      });
      try {
        return await late.uploadDocument(paths.notes, { wait: false });
      } finally {
        await late.close();
        await skewed.close();
      }
    },
    code: 'HTTP_STATUS',
    names: () => 'InvalidTimeStamp.Expired',
    requests: 1,
  },
  {
    name: 'Bailian: a lease used twice (the second AddFile is refused)',
    run: async () => {
      const body = Buffer.from('lease once\n');
      const md5 = createHash('md5').update(body).digest('hex');
      const lease = await applyLease(emulator, 'lease-once.txt', md5, body.length);
      await fetch(lease.url, { method: 'PUT', headers: lease.headers, body });
      const addFile = () =>
        transport.request({
          method: 'PUT',
          path: `/${emulator.account.workspaceId}/datacenter/file`,
          auth: acs3(accessKey()),
          headers: { 'x-acs-action': 'AddFile', 'x-acs-version': '2023-12-29' },
          body: formBody({ LeaseId: lease.leaseId, Parser: 'DASHSCOPE_DOCMIND', CategoryId: 'default' }),
        });
      await addFile();
      return addFile();
    },
    code: 'HTTP_STATUS',
    names: () => 'LeaseId',
    requests: 4, // the lease, the PUT, the AddFile that used it, and the one refused
  },
];

/** Bad command lines: exit code 2 and one line on stderr naming the value, before any request. */
const cliCatalogue: { name: string; args: (paths: Record<string, string>) => string[]; names: string }[] = [
  { name: 'oss upload without --model', args: (p) => ['oss', 'upload', p.small!], names: '--model' },
  {
    name: 'a region that does not exist',
    args: (p) => ['--region', 'mars-1', 'oss', 'upload', '-m', 'qwen-vl-plus', p.small!],
    names: 'mars-1',
  },
  {
    name: 'a concurrency of 0',
    args: (p) => ['oss', 'upload', '-m', 'qwen-vl-plus', '--concurrency', '0', p.small!],
    names: '0',
  },
  {
    name: 'an endpoint that is not http(s)',
    args: (p) => ['--endpoint', 'ftp://example.com', 'oss', 'upload', '-m', 'qwen-vl-plus', p.small!],
    names: 'ftp://example.com',
  },
  { name: 'a command that does not exist', args: () => ['upload-everything'], names: 'upload-everything' },
  {
    name: 'an option that does not exist',
    args: (p) => ['oss', 'upload', '-m', 'qwen-vl-plus', '--fast', p.small!],
    names: '--fast',
  },
];

function isTyped(error: unknown): error is Error & { code: string } {
  return TransportError.isInstance(error) || HashError.isInstance(error) || RateLimitError.isInstance(error);
}

describe('bad-input catalogue', () => {
  it('has at least 40 entries, covering every package and the CLI', () => {
    expect(catalogue.length + cliCatalogue.length).toBeGreaterThanOrEqual(40);
    for (const prefix of [
      'md5File',
      'hashFile',
      'createRateLimiter',
      'request',
      'temp-oss',
      'openai-files',
      'kb-lease',
    ])
      expect(
        catalogue.some((entry) => entry.name.startsWith(prefix)),
        prefix,
      ).toBe(true);
    expect(cliCatalogue.length).toBeGreaterThan(0);
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

  it.each(cliCatalogue.map((entry) => [entry.name, entry] as const))('mstudio: %s', async (_name, entry) => {
    const before = emulator.calls.length;
    const run = await runCli(entry.args(paths), cliEnv(emulator.url, emulator.account), {
      home: folder,
      cwd: folder,
    });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    const [first, ...rest] = run.stderr.trimEnd().split('\n');
    expect(first).toContain(entry.names);
    // One line saying what is wrong; commander may add a pointer to --help on the next.
    expect(rest.filter((line) => !/--help/.test(line))).toEqual([]);
    expect(leakedSecrets(run.stderr, secretsOf(emulator))).toEqual([]);
    expect(emulator.calls.length - before, 'requests sent').toBe(0);
  });
});
