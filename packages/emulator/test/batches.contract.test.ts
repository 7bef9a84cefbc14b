import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminClient } from '../src/admin-client.js';
import { createEmulator, type Emulator } from '../src/create-emulator.js';
import type { FilesSurfaceState } from '../src/files/files-surface.js';

const startMs = Date.parse('2025-03-06T04:30:00Z');
let emulator: Emulator;
let client: OpenAI;
let folder: string;

beforeAll(async () => {
  emulator = await createEmulator({
    clock: { startMs, isFrozen: true },
    limits: { isRateLimited: false },
    files: { processingDelayMs: 0 },
  });
  client = new OpenAI({
    apiKey: emulator.account.apiKey,
    baseURL: `${emulator.url}/compatible-mode/v1`,
    maxRetries: 0,
  });
  folder = await mkdtemp(join(tmpdir(), 'batches-'));
});

afterAll(async () => {
  await emulator.close();
  await rm(folder, { recursive: true, force: true });
});

const line = (
  customId: string,
  url = '/v1/chat/completions',
  body: Record<string, unknown> = { model: 'qwen-plus' },
) =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url,
    body: { messages: [{ role: 'user', content: 'Hi' }], ...body },
  });

async function uploadInput(name: string, lines: string[]) {
  const path = join(folder, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return client.files.create({ file: createReadStream(path), purpose: 'batch' });
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

describe('Batch API with the official openai SDK', () => {
  it('runs a batch on the emulated clock and writes batch_output files for answers and failures', async () => {
    const input = await uploadInput('requests.jsonl', [
      line('first'),
      line('wrong-endpoint', '/v1/embeddings'),
      line('second'),
      line('no-model', '/v1/chat/completions', { model: '' }),
    ]);
    const batch = await client.batches.create({
      input_file_id: input.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { job: 'nightly' },
    });
    expect(batch).toMatchObject({
      object: 'batch',
      status: 'validating',
      input_file_id: input.id,
      output_file_id: null,
      error_file_id: null,
      metadata: { job: 'nightly' },
      created_at: Math.floor(startMs / 1000),
    });
    expect(batch.id).toMatch(/^batch_/);

    emulator.clock.advance(500);
    expect((await client.batches.retrieve(batch.id)).status).toBe('in_progress');
    emulator.clock.advance(1500);
    expect((await client.batches.retrieve(batch.id)).status).toBe('finalizing');
    emulator.clock.advance(500);
    const done = await client.batches.retrieve(batch.id);
    expect(done).toMatchObject({
      status: 'completed',
      request_counts: { total: 4, completed: 2, failed: 2 },
      completed_at: Math.floor((startMs + 2500) / 1000),
    });

    const outputs = await client.files.list({ purpose: 'batch_output' });
    expect(outputs.data.map((file) => file.id).sort()).toEqual(
      [done.output_file_id, done.error_file_id].sort(),
    );
    expect(outputs.data.every((file) => file.status === 'processed' && file.purpose === 'batch_output')).toBe(
      true,
    );

    const output = (await (await client.files.content(done.output_file_id ?? '')).text()).trim().split('\n');
    expect(output.map((text) => JSON.parse(text))).toEqual([
      expect.objectContaining({
        custom_id: 'first',
        error: null,
        response: expect.objectContaining({
          status_code: 200,
          body: expect.objectContaining({
            object: 'chat.completion',
            model: 'qwen-plus',
            choices: [
              expect.objectContaining({
                message: { role: 'assistant', content: 'Emulated reply from qwen-plus.' },
              }),
            ],
          }),
        }),
      }),
      expect.objectContaining({ custom_id: 'second', error: null }),
    ]);
    const errors = (await (await client.files.content(done.error_file_id ?? '')).text()).trim().split('\n');
    expect(errors.map((text) => JSON.parse(text))).toEqual([
      expect.objectContaining({
        custom_id: 'wrong-endpoint',
        response: expect.objectContaining({ status_code: 400 }),
        error: expect.objectContaining({ code: 'InvalidParameter' }),
      }),
      expect.objectContaining({
        custom_id: 'no-model',
        error: { code: 'InvalidParameter', message: 'The model parameter is required.' },
      }),
    ]);
    const state = emulator.state.files as FilesSurfaceState;
    expect(state.batches.find((stored) => stored.id === batch.id)).toMatchObject({
      status: 'completed',
      outputFileId: done.output_file_id,
    });
  });

  it('lists batches newest first through after cursors', async () => {
    const input = await uploadInput('list.jsonl', [line('a')]);
    const created = [];
    for (let index = 0; index < 3; index += 1) {
      created.push(
        await client.batches.create({
          input_file_id: input.id,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
        }),
      );
    }
    const page = await client.batches.list({ limit: 2 });
    expect(page.data.map((batch) => batch.id)).toEqual([created[2]?.id, created[1]?.id]);
    expect(page.hasNextPage()).toBe(true);
    const all: string[] = [];
    for await (const batch of client.batches.list({ limit: 2 })) all.push(batch.id);
    expect(all.slice(0, 3)).toEqual(created.map((batch) => batch.id).reverse());
  });

  it('cancels a running batch (cancelling, then cancelled, no output) and refuses to cancel a finished one', async () => {
    const input = await uploadInput('cancel.jsonl', [line('a')]);
    const batch = await client.batches.create({
      input_file_id: input.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const cancelling = await client.batches.cancel(batch.id);
    expect(cancelling.status).toBe('cancelling');
    emulator.clock.advance(3000);
    const cancelled = await client.batches.retrieve(batch.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', output_file_id: null });
    const error = await rejection(client.batches.cancel(batch.id));
    expect(error.status).toBe(400);
    expect(error.message).toBe('400 Cannot cancel a batch with status cancelled.');
  });

  it('validates the input file and the endpoint', async () => {
    const missing = await rejection(
      client.batches.create({
        input_file_id: 'file-batch-nope',
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      }),
    );
    expect(missing).toBeInstanceOf(NotFoundError);
    const document = await client.files.create({
      file: await OpenAI.toFile(Buffer.from('text'), 'notes.txt'),
      purpose: 'file-extract' as 'assistants',
    });
    const wrongPurpose = await rejection(
      client.batches.create({
        input_file_id: document.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      }),
    );
    expect(wrongPurpose.message).toContain('has purpose "file-extract"');
    const input = await uploadInput('endpoint.jsonl', [line('a')]);
    const wrongEndpoint = await rejection(
      client.batches.create({
        input_file_id: input.id,
        endpoint: '/v1/responses' as '/v1/chat/completions',
        completion_window: '24h',
      }),
    );
    expect(wrongEndpoint.param).toBe('endpoint');
    expect((await rejection(client.batches.retrieve('batch_nope'))).status).toBe(404);
  });

  it.each(['0h', '23h', '337h', '15d', '1.5d', '24', '24H', ' 24h', ''])(
    'refuses a completion_window of %j: whole hours or days from 24h to 336h only',
    async (completionWindow) => {
      const input = await uploadInput('window.jsonl', [line('a')]);
      const refused = await rejection(
        client.batches.create({
          input_file_id: input.id,
          endpoint: '/v1/chat/completions',
          completion_window: completionWindow as '24h',
        }),
      );
      expect(refused.status).toBe(400);
      expect({ code: refused.code, param: refused.param }).toEqual({
        code: 'InvalidParameter',
        param: 'completion_window',
      });
      expect(refused.message).toContain(JSON.stringify(completionWindow));
    },
  );

  it.each([
    ['24h', 24],
    ['1d', 24],
    ['72h', 72],
    ['14d', 336],
    ['336h', 336],
  ])('takes a completion_window of %s (%i hours)', async (completionWindow, hours) => {
    const input = await uploadInput('window-ok.jsonl', [line('a')]);
    const createdMs = emulator.clock.now();
    const batch = await client.batches.create({
      input_file_id: input.id,
      endpoint: '/v1/chat/completions',
      completion_window: completionWindow as '24h',
    });
    expect(batch.completion_window).toBe(completionWindow);
    const windowSeconds = (batch.expires_at ?? 0) - Math.floor(createdMs / 1000);
    expect(windowSeconds).toBeGreaterThanOrEqual(hours * 3600 - 1);
    expect(windowSeconds).toBeLessThanOrEqual(hours * 3600 + 1);
  });
});

describe('Batches that fail validation or outlive their completion window', () => {
  const hourMs = 3600_000;
  let slow: Emulator;
  let slowClient: OpenAI;

  beforeAll(async () => {
    // Requests take nearly two days to run: a 24h window ends with half of them answered, a 2d window does not.
    slow = await createEmulator({
      clock: { startMs, isFrozen: true },
      limits: { isRateLimited: false },
      files: {
        processingDelayMs: 0,
        limits: { batchMaxRequests: 4 },
        batchSchedule: {
          inProgressAfterMs: 1000,
          finalizingAfterMs: 48 * hourMs - 1000,
          completedAfterMs: 48 * hourMs,
        },
      },
    });
    slowClient = new OpenAI({
      apiKey: slow.account.apiKey,
      baseURL: `${slow.url}/compatible-mode/v1`,
      maxRetries: 0,
    });
  });

  afterAll(() => slow.close());

  async function uploadTo(name: string, lines: string[]) {
    const path = join(folder, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return slowClient.files.create({ file: createReadStream(path), purpose: 'batch' });
  }

  it('fails a batch whose requests name two models, or too many requests, with errors and no output', async () => {
    const mixed = await uploadTo('mixed.jsonl', [
      line('a'),
      line('b', '/v1/chat/completions', { model: 'qwen-max' }),
    ]);
    const tooMany = await uploadTo(
      'many.jsonl',
      ['a', 'b', 'c', 'd', 'e'].map((id) => line(id)),
    );
    const first = await slowClient.batches.create({
      input_file_id: mixed.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const second = await slowClient.batches.create({
      input_file_id: tooMany.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(first).toMatchObject({ status: 'validating', errors: null, failed_at: null });

    await createAdminClient(slow.url).advanceClock(1000);
    const failed = await slowClient.batches.retrieve(first.id);
    expect(failed).toMatchObject({
      status: 'failed',
      failed_at: Math.floor((startMs + 1000) / 1000),
      in_progress_at: null,
      output_file_id: null,
      error_file_id: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      errors: {
        object: 'list',
        data: [expect.objectContaining({ code: 'mismatched_model', param: 'body.model', line: 2 })],
      },
    });
    expect(failed.errors?.data?.[0]?.message).toContain('"qwen-max"');
    expect((await slowClient.batches.retrieve(second.id)).errors?.data).toEqual([
      expect.objectContaining({ code: 'too_many_requests', line: null }),
    ]);

    await createAdminClient(slow.url).advanceClock(72 * hourMs);
    expect((await slowClient.batches.retrieve(first.id)).status).toBe('failed');
    const error = await rejection(slowClient.batches.cancel(first.id));
    expect(error.message).toBe('400 Cannot cancel a batch with status failed.');
    const outputs = await slowClient.files.list({ purpose: 'batch_output' });
    expect(outputs.data.filter((file) => file.filename.startsWith(first.id))).toEqual([]);
  });

  it('expires a batch still running when its completion window ends, keeping the answers given by then', async () => {
    const input = await uploadTo(
      'slow.jsonl',
      ['a', 'b', 'c', 'd'].map((id) => line(id)),
    );
    const createdMs = slow.clock.now();
    const oneDay = await slowClient.batches.create({
      input_file_id: input.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const twoDays = await slowClient.batches.create({
      input_file_id: input.id,
      endpoint: '/v1/chat/completions',
      completion_window: '2d' as '24h',
    });
    expect(oneDay.expires_at).toBe(Math.floor((createdMs + 24 * hourMs) / 1000));
    expect(twoDays.expires_at).toBe(Math.floor((createdMs + 48 * hourMs) / 1000));

    const admin = createAdminClient(slow.url);
    await admin.advanceClock(24 * hourMs - 1);
    expect((await slowClient.batches.retrieve(oneDay.id)).status).toBe('in_progress');
    await admin.advanceClock(1);
    const expired = await slowClient.batches.retrieve(oneDay.id);
    expect(expired).toMatchObject({
      status: 'expired',
      expired_at: Math.floor((createdMs + 24 * hourMs) / 1000),
      finalizing_at: null,
      completed_at: null,
      request_counts: { total: 4, completed: 2, failed: 2 },
    });
    const answered = (await (await slowClient.files.content(expired.output_file_id ?? '')).text()).trim();
    expect(answered.split('\n').map((text) => JSON.parse(text).custom_id)).toEqual(['a', 'b']);
    const unanswered = (await (await slowClient.files.content(expired.error_file_id ?? '')).text()).trim();
    expect(unanswered.split('\n').map((text) => JSON.parse(text))).toEqual([
      expect.objectContaining({
        custom_id: 'c',
        response: null,
        error: expect.objectContaining({ code: 'batch_expired' }),
      }),
      expect.objectContaining({
        custom_id: 'd',
        response: null,
        error: expect.objectContaining({ code: 'batch_expired' }),
      }),
    ]);
    expect((await rejection(slowClient.batches.cancel(oneDay.id))).status).toBe(400);

    // The same schedule fits a two-day window: that batch completes with every answer.
    await admin.advanceClock(24 * hourMs);
    expect(await slowClient.batches.retrieve(twoDays.id)).toMatchObject({
      status: 'completed',
      expired_at: null,
      request_counts: { total: 4, completed: 4, failed: 0 },
    });
    const state = slow.state.files as FilesSurfaceState;
    expect(state.batches.find((stored) => stored.id === oneDay.id)?.status).toBe('expired');
  });
});
