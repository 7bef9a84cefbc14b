import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError, NotFoundError, RateLimitError } from 'openai';
import type { FileCreateParams } from 'openai/resources/files';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/create-emulator.js';

const fileExtract = 'file-extract' as unknown as FileCreateParams['purpose'];
const requestIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emulator: Emulator;
let client: OpenAI;
let folder: string;

beforeAll(async () => {
  emulator = await createEmulator({ limits: { isRateLimited: false }, files: { processingDelayMs: 0 } });
  client = new OpenAI({
    apiKey: emulator.account.apiKey,
    baseURL: `${emulator.url}/compatible-mode/v1`,
    maxRetries: 0,
  });
  folder = await mkdtemp(join(tmpdir(), 'files-errors-'));
});

afterAll(async () => {
  await emulator.close();
  await rm(folder, { recursive: true, force: true });
});

async function upload(name: string, content: string | Uint8Array, purpose = fileExtract) {
  const path = join(await mkdtemp(join(folder, 'upload-')), name);
  await writeFile(path, content);
  return client.files.create({ file: createReadStream(path), purpose });
}

async function rejection(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('Expected the call to be rejected');
}

describe('GET /compatible-mode/v1/files/{id}/content', () => {
  it('streams the stored bytes to openai.files.content()', async () => {
    const bytes = Buffer.from('第一行\nsecond line\n\u0000\u00ff binary tail');
    const file = await upload('notes.txt', bytes);
    const response = await client.files.content(file.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    await expect.poll(() => emulator.calls.at(-1)).toMatchObject({ route: 'files.content', status: 200 });
  });

  it('answers an unknown or deleted id with NotFoundError in the OpenAI envelope', async () => {
    const file = await upload('gone.txt', 'bye');
    await client.files.delete(file.id);
    const error = await rejection(client.files.content(file.id));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(`404 No such file: ${file.id}`);
    expect(error.requestID).toMatch(requestIdPattern);
  });
});

describe('errors on the Files surface', () => {
  it('answers unknown routes with a 404 OpenAI envelope and x-request-id, never an empty body', async () => {
    for (const [method, path] of [
      ['GET', '/compatible-mode/v1/files/file-fe-1/raw'],
      ['PUT', '/compatible-mode/v1/files'],
      ['PATCH', '/compatible-mode/v1/files/file-fe-1'],
      ['GET', '/compatible-mode/v1/assistants'],
    ] as const) {
      const response = await request(`${emulator.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${emulator.account.apiKey}` },
      });
      const body = (await response.body.json()) as { error: Record<string, unknown>; request_id: string };
      expect(response.statusCode).toBe(404);
      expect(response.headers['x-request-id']).toMatch(requestIdPattern);
      expect(body).toEqual({
        error: {
          message: `Unknown request URL: ${method} ${path}. Please check the URL and method.`,
          type: 'invalid_request_error',
          param: null,
          code: 'NotFound',
        },
        request_id: response.headers['x-request-id'],
      });
    }
    const error = await rejection(client.get('/assistants'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(
      '404 Unknown request URL: GET /compatible-mode/v1/assistants. Please check the URL and method.',
    );
  });

  it('answers an injected status fault like the real throttle: RateLimitError, same body, x-request-id', async () => {
    emulator.faults.next({ route: 'files.list', fault: { type: 'status', status: 429 } });
    const injected = await rejection(client.files.list());
    expect(injected).toBeInstanceOf(RateLimitError);
    expect(injected.code).toBe('Throttling.RateQuota');
    expect(injected.message).toBe('429 Requests rate limit exceeded, please try again later.');
    expect(injected.requestID).toMatch(requestIdPattern);
    expect(injected.headers?.get('retry-after')).toBe('1');

    const throttled = await createEmulator({ files: { limits: { queriesPerSecond: 1 } } });
    try {
      const strict = new OpenAI({
        apiKey: throttled.account.apiKey,
        baseURL: `${throttled.url}/compatible-mode/v1`,
        maxRetries: 0,
      });
      await strict.files.list();
      const real = await rejection(strict.files.list());
      expect(real).toBeInstanceOf(RateLimitError);
      expect({ code: real.code, message: real.message, type: real.type }).toEqual({
        code: injected.code,
        message: injected.message,
        type: injected.type,
      });
    } finally {
      await throttled.close();
    }
  });

  it('answers every documented Files API code by name through the fault plan, in the OpenAI envelope', async () => {
    const expected = [
      ['InvalidParameter', 400],
      ['Arrearage', 400],
      ['InvalidApiKey', 401],
      ['AccessDenied', 403],
      ['Throttling', 429],
      ['Throttling.RateQuota', 429],
      ['Throttling.AllocationQuota', 429],
      ['InternalError', 500],
    ] as const;
    for (const [code, status] of expected) {
      emulator.faults.next({ route: 'files.retrieve', fault: { type: 'error', code } });
      const error = await rejection(client.files.retrieve('file-fe-x'));
      expect({ code: error.code, status: error.status }).toEqual({ code, status });
      expect(error.requestID).toMatch(requestIdPattern);
      expect(error.message).not.toContain('no body');
    }
  });

  it('refuses a batch file whose custom_id repeats, found by the second pass', async () => {
    const lines = Array.from({ length: 300 }, (_, index) =>
      JSON.stringify({ custom_id: `r${index}`, method: 'POST', url: '/v1/chat/completions', body: {} }),
    );
    lines.push(lines[17]!);
    const error = await rejection(upload('repeat.jsonl', lines.join('\n'), 'batch'));
    expect(error.status).toBe(400);
    expect(error.message).toContain('line 301: "custom_id" "r17" repeats line 18');
  });
});
