// Hostile and broken clients against the emulator: each gets an error response or a clean close, the emulator keeps
// serving others, and leaves no partial object visible and no temporary file behind.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '@x/emulator';
import { createTempStorage } from '@x/temp-oss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, filesUnder, openSocket, rawExchange, storedCount } from './support/raw-http.js';
import {
  applyLease,
  getPolicy,
  multipartFrame,
  type PolicyData,
  policyFields,
  requestHead,
  videoModel,
} from './support/requests.js';

let emulator: Emulator;
let host: string;

beforeAll(async () => {
  emulator = await createEmulator({ limits: { isRateLimited: false } });
  host = new URL(emulator.url).host;
});
afterAll(async () => {
  await emulator?.close();
});

/** The emulator still answers an ordinary request. */
async function expectServing(): Promise<void> {
  const policy = await getPolicy(emulator);
  expect(policy.upload_dir).toBeTruthy();
}

/** Nothing stored beyond `objects`, and no file on disk but the stored bodies (temporary files are gone). */
async function expectClean(objects = 0): Promise<void> {
  expect(storedCount(emulator)).toBe(objects);
  const isClean = await eventually(async () => (await filesUnder(emulator.dataDir)).length === objects);
  expect(await filesUnder(emulator.dataDir)).toHaveLength(objects);
  expect(isClean).toBe(true);
}

/** Lets temporary storage expire its objects (48 h on the emulated clock), then puts the clock back. */
async function forgetObjects(): Promise<void> {
  emulator.clock.advance(49 * 3600_000);
  expect(emulator.state.dashscope.objects).toHaveLength(0);
  emulator.reset();
  await expectClean();
}

function postObjectTarget(policy: PolicyData): string {
  return new URL(policy.upload_host).pathname;
}

function isErrorOrClose(answer: { status: number | undefined; isClosedByServer: boolean }): boolean {
  return (
    (answer.status !== undefined && answer.status >= 400) ||
    (answer.status === undefined && answer.isClosedByServer)
  );
}

/** A raw request: where it goes, its head's headers, and the body chunks written after the head. */
interface RawRequest {
  readonly target: string;
  readonly headers: Record<string, string | number>;
  readonly chunks: readonly (string | Buffer)[];
}

const filesHeaders = (contentType: string, contentLength: number) => ({
  authorization: `Bearer ${emulator.account.apiKey}`,
  'content-type': contentType,
  'content-length': contentLength,
});

describe('malformed multipart gets 400, stores nothing, and others are still served', () => {
  const cases: { name: string; request: () => Promise<RawRequest>; says?: string }[] = [
    {
      name: 'PostObject: garbage where the form should be (MalformedPOSTRequest)',
      request: async () => {
        const body = Buffer.from('this is not multipart at all\r\n--nope\r\n');
        return {
          target: postObjectTarget(await getPolicy(emulator)),
          headers: { 'content-type': 'multipart/form-data; boundary=abc', 'content-length': body.length },
          chunks: [body],
        };
      },
      says: 'MalformedPOSTRequest',
    },
    {
      name: 'PostObject: a valid form cut before its closing boundary',
      request: async () => {
        const policy = await getPolicy(emulator);
        const frame = multipartFrame(policyFields(policy, `${policy.upload_dir}/cut.bin`), 'cut.bin');
        const body = Buffer.concat([frame.head, Buffer.alloc(4096, 7)]);
        return {
          target: postObjectTarget(policy),
          headers: { 'content-type': frame.contentType, 'content-length': body.length },
          chunks: [body],
        };
      },
    },
    {
      name: 'Files API: a multipart body without a boundary',
      request: async () => {
        const body = Buffer.from('--x\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n');
        return {
          target: '/compatible-mode/v1/files',
          headers: filesHeaders('multipart/form-data', body.length),
          chunks: [body],
        };
      },
    },
    {
      name: 'Files API: garbage inside a declared boundary',
      request: async () => {
        const body = Buffer.from('--b\r\nno headers here, no blank line, no end');
        return {
          target: '/compatible-mode/v1/files',
          headers: filesHeaders('multipart/form-data; boundary=b', body.length),
          chunks: [body],
        };
      },
    },
  ];

  it.each(cases.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const { target, headers, chunks } = await entry.request();
    const answer = await rawExchange(emulator.url, [
      requestHead('POST', target, host, { ...headers, connection: 'close' }),
      ...chunks,
    ]);
    expect(answer.status).toBe(400);
    if (entry.says) expect(answer.text).toContain(entry.says);
    await expectServing();
    await expectClean();
  });
});

describe('Content-Length that lies', () => {
  it('a body longer than its Content-Length: the extra bytes are refused, nothing stored', async () => {
    const policy = await getPolicy(emulator);
    const frame = multipartFrame(policyFields(policy, `${policy.upload_dir}/long.bin`), 'long.bin');
    const body = Buffer.concat([frame.head, Buffer.alloc(2048, 1), frame.tail]);
    const answer = await rawExchange(emulator.url, [
      requestHead('POST', postObjectTarget(policy), host, {
        'content-type': frame.contentType,
        'content-length': body.length - 1024,
      }),
      body,
    ]);
    expect(answer.status).toBe(400);
    await expectServing();
    await expectClean();
  });

  const shorter: { name: string; request: () => Promise<RawRequest> }[] = [
    {
      name: 'PostObject',
      request: async () => {
        const policy = await getPolicy(emulator);
        const frame = multipartFrame(policyFields(policy, `${policy.upload_dir}/short.bin`), 'short.bin');
        return {
          target: postObjectTarget(policy),
          headers: {
            'content-type': frame.contentType,
            'content-length': frame.head.length + (1 << 20) + frame.tail.length,
          },
          chunks: [frame.head, Buffer.alloc(100_000, 2)],
        };
      },
    },
    {
      name: 'Files API',
      request: async () => {
        const frame = multipartFrame([['purpose', 'batch']], 'short.jsonl');
        return {
          target: '/compatible-mode/v1/files',
          headers: filesHeaders(frame.contentType, frame.head.length + 100_000 + frame.tail.length),
          chunks: [frame.head, '{"custom_id":"1"}\n'],
        };
      },
    },
  ];

  it.each(shorter.map((entry) => [entry.name, entry] as const))(
    '%s: a body shorter than its Content-Length, then the client ends: clean close, nothing stored',
    async (_name, entry) => {
      const { target, headers, chunks } = await entry.request();
      const answer = await rawExchange(
        emulator.url,
        [requestHead('POST', target, host, headers), ...chunks],
        {
          endWrite: true,
        },
      );
      expect(isErrorOrClose(answer)).toBe(true);
      expect(answer.status).not.toBe(200);
      await expectServing();
      await expectClean();
    },
  );
});

describe('oversized request heads get an error status (or a close), and the next client is served', () => {
  const cases: { name: string; head: () => string; statuses: readonly number[] }[] = [
    {
      name: '10,000 headers',
      head: () =>
        `GET /api/v1/uploads?action=getPolicy&model=${videoModel} HTTP/1.1\r\nHost: ${host}\r\n${Array.from(
          { length: 10_000 },
          (_, index) => `x-h${index}: ${index}\r\n`,
        ).join('')}\r\n`,
      statuses: [431],
    },
    {
      name: 'a 1 MB query string',
      head: () =>
        `GET /api/v1/uploads?action=getPolicy&model=${videoModel}&pad=${'a'.repeat(1 << 20)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      statuses: [414, 431],
    },
  ];

  it.each(cases.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const answer = await rawExchange(emulator.url, [entry.head()]);
    expect(isErrorOrClose(answer)).toBe(true);
    if (answer.status !== undefined) expect(entry.statuses).toContain(answer.status);
    await expectServing();
    await expectClean();
  });
});

describe('keys and paths with ../', () => {
  it('PostObject: a key with ../ is a flat OSS name; its body stays inside the data folder', async () => {
    // OSS names are flat (1-1023 UTF-8 bytes, not starting with / or \): `a/../b` is a name, not a path.
    const policy = await getPolicy(emulator);
    const keys = [
      `${policy.upload_dir}/../../escape.bin`,
      `${policy.upload_dir}/a/../../../escape.bin`,
      `${policy.upload_dir}/..%2F..%2Fescape.bin`,
    ];
    for (const key of keys) {
      const frame = multipartFrame(policyFields(policy, key), 'escape.bin');
      const body = Buffer.concat([frame.head, Buffer.from('payload'), frame.tail]);
      const answer = await rawExchange(emulator.url, [
        requestHead('POST', postObjectTarget(policy), host, {
          'content-type': frame.contentType,
          'content-length': body.length,
          connection: 'close',
        }),
        body,
      ]);
      expect(answer.status, key).toBe(200);
    }
    expect(emulator.state.dashscope.objects.map((object) => object.key).sort()).toEqual([...keys].sort());
    for (const levels of ['..', '../..', '../../..']) {
      expect(existsSync(join(emulator.dataDir, levels, 'escape.bin'))).toBe(false);
    }
    await expectServing();
    await expectClean(keys.length);
    await forgetObjects();
  });

  it('Files API and lease uploads: ../ in the path reaches no file', async () => {
    for (const target of [
      '/compatible-mode/v1/files/..%2F..%2Fetc%2Fpasswd',
      '/compatible-mode/v1/files/%2e%2e',
      '/compatible-mode/v1/files/../../../../etc/passwd',
    ]) {
      const answer = await rawExchange(emulator.url, [
        requestHead('GET', target, host, {
          authorization: `Bearer ${emulator.account.apiKey}`,
          connection: 'close',
        }),
      ]);
      expect(answer.status, target).toBeGreaterThanOrEqual(400);
      expect(answer.text).not.toContain('root:');
    }
    const body = Buffer.from('hello');
    const md5 = createHash('md5').update(body).digest('hex');
    const lease = await applyLease(emulator, 'notes.txt', md5, body.length);
    const url = new URL(lease.url);
    const escaped = `${url.pathname.replace(/\/[^/]+$/, '')}/..%2F..%2Fescape.txt${url.search}`;
    const answer = await rawExchange(emulator.url, [
      requestHead('PUT', escaped, host, {
        ...lease.headers,
        'content-length': body.length,
        connection: 'close',
      }),
      body,
    ]);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    await expectServing();
    await expectClean();
  });
});

describe('deeply nested JSON', () => {
  it('100,000 levels of nesting get 400, not a crash', async () => {
    const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const target of [
      '/api/v1/services/aigc/multimodal-generation/generation',
      '/compatible-mode/v1/chat/completions',
    ]) {
      const nested = `{"model":"qwen-vl-plus","input":{"messages":${body}},"messages":${body}}`;
      const answer = await rawExchange(emulator.url, [
        requestHead('POST', target, host, {
          authorization: `Bearer ${emulator.account.apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(nested),
          connection: 'close',
        }),
        nested,
      ]);
      expect(answer.status, target).toBe(400);
    }
    await expectServing();
    await expectClean();
  });
});

describe('slow clients', () => {
  it('200 slow-loris connections (half heads, half trickled bodies) do not stop others being served', async () => {
    const policy = await getPolicy(emulator);
    const sockets: Socket[] = [];
    try {
      for (let index = 0; index < 100; index += 1) {
        const socket = await openSocket(emulator.url);
        socket.write(`POST ${postObjectTarget(policy)} HTTP/1.1\r\nHost: ${host}\r\nx-slow: `);
        sockets.push(socket);
      }
      for (let index = 0; index < 100; index += 1) {
        const frame = multipartFrame(
          policyFields(policy, `${policy.upload_dir}/slow-${index}.bin`),
          'slow.bin',
        );
        const socket = await openSocket(emulator.url);
        socket.write(
          requestHead('POST', postObjectTarget(policy), host, {
            'content-type': frame.contentType,
            'content-length': frame.head.length + (1 << 20) + frame.tail.length,
          }),
        );
        socket.write(frame.head);
        socket.write(Buffer.alloc(1000, 3));
        sockets.push(socket);
      }
      // Others are served meanwhile: plain calls and a whole upload.
      for (let index = 0; index < 10; index += 1) await expectServing();
      const storage = createTempStorage({ apiKey: emulator.account.apiKey, baseUrl: emulator.url });
      try {
        const uploaded = await storage.upload(Buffer.alloc(64 * 1024, 9), {
          model: videoModel,
          fileName: 'ok.bin',
        });
        expect(uploaded.sizeBytes).toBe(64 * 1024);
      } finally {
        await storage.close();
      }
      expect(storedCount(emulator), JSON.stringify(emulator.state.dashscope.objects)).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await expectServing();
    await expectClean(1);
    await forgetObjects();
  });
});

describe('disconnect mid-upload', () => {
  async function cutOff(head: string, bodyStart: Buffer): Promise<void> {
    const socket = await openSocket(emulator.url);
    socket.write(head);
    socket.write(bodyStart);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
  }

  it('PostObject, Files API and lease PUT: the half-sent body leaves nothing behind', async () => {
    const policy = await getPolicy(emulator);
    const oss = multipartFrame(policyFields(policy, `${policy.upload_dir}/cut.bin`), 'cut.bin');
    await cutOff(
      requestHead('POST', postObjectTarget(policy), host, {
        'content-type': oss.contentType,
        'content-length': oss.head.length + (4 << 20) + oss.tail.length,
      }),
      Buffer.concat([oss.head, Buffer.alloc(1 << 20, 4)]),
    );

    const files = multipartFrame([['purpose', 'file-extract']], 'cut.txt');
    await cutOff(
      requestHead('POST', '/compatible-mode/v1/files', host, {
        authorization: `Bearer ${emulator.account.apiKey}`,
        'content-type': files.contentType,
        'content-length': files.head.length + (4 << 20) + files.tail.length,
      }),
      Buffer.concat([files.head, Buffer.alloc(1 << 20, 0x61)]),
    );

    const whole = Buffer.alloc(4 << 20, 0x62);
    const md5 = createHash('md5').update(whole).digest('hex');
    const lease = await applyLease(emulator, 'cut.txt', md5, whole.length);
    const url = new URL(lease.url);
    await cutOff(
      requestHead('PUT', `${url.pathname}${url.search}`, host, {
        ...lease.headers,
        'content-length': whole.length,
      }),
      whole.subarray(0, 1 << 20),
    );

    await expectServing();
    await expectClean();
  });
});
