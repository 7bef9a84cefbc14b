import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '@x/emulator';
import { createTempStorage, type TempStorage } from '@x/temp-oss';
import { HttpStatusError, InvalidInputError } from '@x/transport';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createIngestQueue,
  createWorker,
  enqueue,
  type IngestFlow,
  type IngestQueue,
  progress,
  retryFailed,
  waitForBatch,
} from '../src/index.js';
import { tempOssFlow } from './support/temp-oss-flow.js';

const port = inject('redisPort');
if (port === undefined) console.warn('redis-server is not installed: skipping the ingest tests');

describe.skipIf(port === undefined)('a batch on one Redis', () => {
  let emulator: Emulator;
  let storage: TempStorage;
  let directory: string;
  let redis: Redis;
  const queues: IngestQueue[] = [];

  beforeAll(async () => {
    emulator = await createEmulator();
    storage = createTempStorage({ apiKey: emulator.account.apiKey, baseUrl: emulator.url });
    directory = await mkdtemp(join(tmpdir(), 'ingest-test-'));
    redis = new Redis({ port: port!, host: '127.0.0.1', maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    await redis?.quit();
    await storage?.close();
    await emulator?.close();
    await rm(directory, { recursive: true, force: true });
  });

  let queueCount = 0;
  function newQueue(options: { keepCompleted?: number; attempts?: number } = {}): IngestQueue {
    const queue = createIngestQueue({
      connection: redis,
      name: `test-${process.pid}-${++queueCount}`,
      backoffMs: 50,
      ...options,
    });
    queues.push(queue);
    return queue;
  }

  async function files(prefix: string, count: number): Promise<string[]> {
    const paths = Array.from({ length: count }, (_, index) => join(directory, `${prefix}-${index}.txt`));
    await Promise.all(paths.map((path, index) => writeFile(path, `${prefix} document ${index}\n`)));
    return paths;
  }

  it('runs every document once, stores results, and never adds a finished document again', async () => {
    const queue = newQueue({ keepCompleted: 0 });
    const paths = await files('first', 30);
    const before = emulator.state.dashscope.objects.length;

    expect(await enqueue(paths, { queue, flow: 'oss', options: { model: 'qwen-vl-plus' } })).toEqual({
      added: 30,
      alreadyDone: 0,
      alreadyQueued: 0,
    });
    // The same folder again while the jobs wait: nothing new.
    expect(await enqueue(paths, { queue, flow: 'oss' })).toEqual({
      added: 0,
      alreadyDone: 0,
      alreadyQueued: 30,
    });

    const results = new Map<string, unknown>();
    const workers = [1, 2].map(() => createWorker({ queue, flows: [tempOssFlow(storage)], concurrency: 4 }));
    for (const { worker } of workers) worker.on('completed', (job, result) => results.set(job.id!, result));
    const done = await waitForBatch(queue, { intervalMs: 100 });
    await Promise.all(workers.map((worker) => worker.close()));

    expect(done).toMatchObject({ total: 30, completed: 30, failed: 0, waiting: 0, active: 0, etaMs: 0 });
    expect(done.ratePerSecond).toBeGreaterThan(0);
    expect(emulator.state.dashscope.objects.length - before).toBe(30);
    expect(results.size).toBe(30);
    for (const result of results.values()) {
      expect(result).toMatchObject({ id: expect.stringMatching(/^oss:\/\//), status: 'uploaded' });
    }
    // Completed jobs are gone from Redis (keepCompleted: 0), yet enqueuing the folder again adds nothing...
    expect(await queue.queue.getJobCounts('completed')).toEqual({ completed: 0 });
    expect(await enqueue(paths, { queue, flow: 'oss' })).toEqual({
      added: 0,
      alreadyDone: 30,
      alreadyQueued: 0,
    });
    // ...while a file that changed is a new version.
    await utimes(paths[0]!, new Date(), new Date(Date.now() + 5000));
    expect(await enqueue(paths, { queue, flow: 'oss' })).toEqual({
      added: 1,
      alreadyDone: 29,
      alreadyQueued: 0,
    });
  });

  it('looks a document up before uploading it again when an earlier run started', async () => {
    const queue = newQueue();
    const [path] = await files('lookup', 1);
    await enqueue([path!], { queue, flow: 'probe' });
    const [job] = await queue.queue.getJobs(['wait']);
    // An earlier run on a worker that died: its start was recorded, its end never was.
    await redis.hincrby(`bull:${queue.name}:ingest:started`, job!.id!, 1);
    const seen: string[] = [];
    const flow: IngestFlow = {
      name: 'probe',
      async upload() {
        seen.push('upload');
        return { id: 'new', status: 'uploaded' };
      },
      async lookup(_source, { attempt }) {
        seen.push(`lookup ${attempt}`);
        return { id: 'found', status: 'PARSE_SUCCESS' };
      },
    };
    const worker = createWorker({ queue, flows: [flow] });
    await waitForBatch(queue, { intervalMs: 100 });
    await worker.close();
    expect(seen).toEqual(['lookup 2']);
    expect((await queue.queue.getJob(job!.id!))?.returnvalue).toEqual({
      id: 'found',
      status: 'PARSE_SUCCESS',
    });
  });

  it('reports failures with their codes, and retries them', async () => {
    const queue = newQueue({ attempts: 2 });
    const paths = await files('failing', 6);
    await enqueue(paths, { queue, flow: 'picky' });
    let isFixed = false;
    const flow: IngestFlow = {
      name: 'picky',
      async upload(source) {
        if (!isFixed && source.endsWith('-1.txt')) {
          throw new InvalidInputError('INVALID_FILE_NAME', `${source} has a name the service refuses`);
        }
        if (!isFixed && source.endsWith('-2.txt')) throw new Error('socket hang up');
        return { id: source, status: 'uploaded' };
      },
      async lookup() {
        return undefined;
      },
    };
    const worker = createWorker({ queue, flows: [flow], concurrency: 2 });
    const snapshot = await waitForBatch(queue, { intervalMs: 100 });
    expect(snapshot).toMatchObject({ total: 6, completed: 4, failed: 2 });
    expect(snapshot.failureCodes).toEqual({ INVALID_FILE_NAME: 1, Error: 1 });
    const bySource = Object.fromEntries(snapshot.failures.map((failure) => [failure.source, failure]));
    // A permanent error is not retried; a transient one used both attempts.
    expect(bySource[paths[1]!]).toMatchObject({ flow: 'picky', attemptsMade: 1 });
    expect(bySource[paths[1]!]!.reason).toMatch(/^INVALID_FILE_NAME: .*failing-1\.txt has a name/);
    expect(bySource[paths[2]!]).toMatchObject({ attemptsMade: 2, reason: 'Error: socket hang up' });

    isFixed = true;
    expect(await retryFailed(queue)).toEqual({ retried: 2 });
    expect(await waitForBatch(queue, { intervalMs: 100 })).toMatchObject({
      total: 6,
      completed: 6,
      failed: 0,
    });
    await worker.close();
  });

  it('pauses every worker when the service throttles, without using an attempt', async () => {
    const queue = newQueue({ attempts: 1 });
    const paths = await files('throttled', 4);
    await enqueue(paths, { queue, flow: 'busy' });
    let throttles = 0;
    const starts: number[] = [];
    const flow: IngestFlow = {
      name: 'busy',
      async upload(source) {
        starts.push(Date.now());
        if (throttles === 0) {
          throttles++;
          throw new HttpStatusError('POST /AddFile: 429 Too Many Requests', {
            status: 429,
            serviceCode: 'DataCenter.Throttling',
            retryAfterMs: 700,
          });
        }
        return { id: source, status: 'uploaded' };
      },
      async lookup() {
        return undefined;
      },
    };
    const workers = [1, 2].map(() => createWorker({ queue, flows: [flow], concurrency: 1 }));
    const snapshot = await waitForBatch(queue, { intervalMs: 100 });
    await Promise.all(workers.map((worker) => worker.close()));
    // One attempt each, yet nothing failed: the throttled run went back to the queue.
    expect(snapshot).toMatchObject({ completed: 4, failed: 0 });
    expect(starts).toHaveLength(5);
    // The throttled document ran again only after the pause the service asked for.
    expect(Math.max(...starts) - starts[0]!).toBeGreaterThanOrEqual(650);
  });

  it('rejects bad input with typed errors before touching Redis', async () => {
    const queue = newQueue();
    await expect(enqueue(['x'], { queue, flow: 'Bad:Flow' })).rejects.toMatchObject({
      code: 'INVALID_FLOW_NAME',
    });
    await expect(enqueue([join(directory, 'missing.pdf')], { queue, flow: 'kb' })).rejects.toMatchObject({
      code: 'INVALID_SOURCE',
      message: expect.stringContaining('missing.pdf'),
    });
    await expect(enqueue([''], { queue, flow: 'kb' })).rejects.toBeInstanceOf(InvalidInputError);
    expect(() => createWorker({ queue, flows: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => createIngestQueue({ connection: 'http://localhost' })).toThrow(
      expect.objectContaining({ code: 'INVALID_REDIS_URL' }),
    );
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(progress(queue, { signal: controller.signal })).rejects.toThrow('stop');
  });
});
