import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '@x/emulator';
import { createKnowledgeBaseClient, type KnowledgeBaseClient } from '@x/kb-lease';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createIngestQueue,
  createWorker,
  enqueue,
  type IngestQueue,
  ingestJobId,
  knowledgeBaseFlow,
  stepMarkers,
  waitForBatch,
} from '../src/index.js';

const port = inject('redisPort');

describe.skipIf(port === undefined)('step markers', () => {
  let redis: Redis;
  let emulator: Emulator;
  let client: KnowledgeBaseClient;
  let directory: string;
  const queues: IngestQueue[] = [];
  let count = 0;

  beforeAll(async () => {
    redis = new Redis({ port: port!, host: '127.0.0.1', maxRetriesPerRequest: null });
    emulator = await createEmulator({ limits: { isRateLimited: false } });
    const { account } = emulator;
    client = createKnowledgeBaseClient({
      endpoint: emulator.url,
      workspaceId: account.workspaceId,
      credentials: { accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret },
    });
    directory = await mkdtemp(join(tmpdir(), 'ingest-steps-'));
  });
  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    await redis?.quit();
    await client?.close();
    await emulator?.close();
    await rm(directory, { recursive: true, force: true });
  });

  function newQueue(): IngestQueue {
    const queue = createIngestQueue({ connection: redis, name: `steps-${process.pid}-${++count}` });
    queues.push(queue);
    return queue;
  }

  it('runs a step once, settles a step whose run died, and returns a finished step as recorded', async () => {
    const queue = newQueue();
    const steps = stepMarkers(queue, 'kb-0123456789abcdef0123456789abcdef');
    expect(await steps.peek('add-file')).toEqual({ state: 'new' });

    // A run begins the step and dies in it (here: throws before recording its end).
    await expect(
      steps.once('add-file', {
        run: async () => {
          throw new Error('killed');
        },
        settle: async () => 'never',
      }),
    ).rejects.toThrow('killed');
    const begun = await steps.peek('add-file');
    expect(begun).toMatchObject({ state: 'started', runs: 1, startedAtMs: expect.any(Number) });
    expect(Math.abs((begun as { startedAtMs: number }).startedAtMs - Date.now())).toBeLessThan(60_000);

    // The next run settles it instead of running it again.
    const calls: string[] = [];
    const value = await steps.once('add-file', {
      run: async () => {
        calls.push('run');
        return 'added again';
      },
      settle: async (interrupted) => {
        calls.push(`settle ${interrupted.runs}`);
        return 'found';
      },
    });
    expect(value).toBe('found');
    expect(calls).toEqual(['settle 2']);
    // Finished: neither is called again.
    expect(
      await steps.once('add-file', {
        run: async () => 'x',
        settle: async () => 'y',
      }),
    ).toBe('found');
    expect(await steps.peek('add-file')).toEqual({ state: 'done', value: 'found' });

    // Claims are atomic and per document.
    const other = stepMarkers(queue, 'kb-ffffffffffffffffffffffffffffffff');
    expect(await steps.claim('file_1')).toBe(true);
    expect(await other.claim('file_1')).toBe(false);
    expect(await steps.claim('file_1')).toBe(true);

    await expect(steps.peek('Add File')).rejects.toMatchObject({ code: 'INVALID_STEP' });
    expect(() => stepMarkers(queue, '')).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });

  it('lets the kb flow tell two documents of the same name and size apart after a worker died mid-AddFile', async () => {
    const queue = newQueue();
    await mkdir(join(directory, 'a'));
    await mkdir(join(directory, 'b'));
    const first = join(directory, 'a', 'readme.md');
    const second = join(directory, 'b', 'readme.md');
    await writeFile(first, '# Team A\n');
    await writeFile(second, '# Team B\n');
    await enqueue([first, second], { queue, flow: 'kb', options: { wait: false } });
    const [firstJob, secondJob] = await Promise.all(
      [first, second].map(
        async (path) => (await queue.queue.getJobs(['wait'])).find((job) => job.data.source === path)!,
      ),
    );
    expect(secondJob!.id).toBe(ingestJobId('kb', second, secondJob!.data.fingerprint));

    // While the second document's run is in AddFile, another worker adds the first document (same name, same
    // size) and records it; then the second's AddFile lands and its worker dies before recording it.
    const secondSteps = stepMarkers(queue, secondJob!.id!);
    let firstFileId = '';
    let secondFileId = '';
    await expect(
      secondSteps.once('add-file', {
        run: async () => {
          await stepMarkers(queue, firstJob!.id!).once('add-file', {
            run: async () => {
              firstFileId = (await client.uploadDocument(first, { wait: false })).fileId;
              await stepMarkers(queue, firstJob!.id!).claim(firstFileId);
              return { id: firstFileId, status: 'INIT' };
            },
            settle: async () => undefined,
          });
          secondFileId = (await client.uploadDocument(second, { wait: false })).fileId;
          throw new Error('SIGKILL');
        },
        settle: async () => undefined,
      }),
    ).rejects.toThrow('SIGKILL');
    // The worker's own marker of the dead run.
    await redis.hincrby(`bull:${queue.name}:ingest:started`, secondJob!.id!, 1);
    const addFilesBefore = emulator.calls.filter((call) => call.route === 'AddFile').length;

    // Both files match the second document by name, size and time; the first is claimed by its own document.
    const worker = createWorker({ queue, flows: [knowledgeBaseFlow({ client })], concurrency: 1 });
    const done = await waitForBatch(queue, { intervalMs: 100 });
    await worker.close();
    expect(done).toMatchObject({ completed: 2, failed: 0 });
    expect((await queue.queue.getJob(firstJob!.id!))!.returnvalue).toMatchObject({ id: firstFileId });
    expect((await queue.queue.getJob(secondJob!.id!))!.returnvalue).toMatchObject({
      id: secondFileId,
      wasFoundByLookup: true,
    });
    expect(emulator.calls.filter((call) => call.route === 'AddFile').length - addFilesBefore).toBe(0);
    const readmes = [...emulator.state.bailian.files.values()].filter(
      (file) => file.fileName === 'readme.md',
    );
    expect(readmes.map((file) => file.fileId).sort()).toEqual([firstFileId, secondFileId].sort());
  });

  it('waits for a document found after an interrupted run to be parsed, as an upload that waits would', async () => {
    const queue = newQueue();
    const path = join(directory, 'policy.md');
    await writeFile(path, '# Policy\n\nBe kind.\n');
    await enqueue([path], { queue, flow: 'kb' });
    const [job] = await queue.queue.getJobs(['wait']);
    let fileId = '';
    await expect(
      stepMarkers(queue, job!.id!).once('add-file', {
        run: async () => {
          fileId = (await client.uploadDocument(path, { wait: false })).fileId;
          throw new Error('SIGKILL');
        },
        settle: async () => undefined,
      }),
    ).rejects.toThrow('SIGKILL');
    await redis.hincrby(`bull:${queue.name}:ingest:started`, job!.id!, 1);
    const addFilesBefore = emulator.calls.filter((call) => call.route === 'AddFile').length;
    const worker = createWorker({ queue, flows: [knowledgeBaseFlow({ client })], concurrency: 1 });
    await waitForBatch(queue, { intervalMs: 100 });
    await worker.close();
    expect((await queue.queue.getJob(job!.id!))!.returnvalue).toMatchObject({
      id: fileId,
      status: 'PARSE_SUCCESS',
      wasFoundByLookup: true,
    });
    expect(emulator.calls.filter((call) => call.route === 'AddFile').length - addFilesBefore).toBe(0);
    expect(emulator.calls.some((call) => call.route === 'DescribeFile')).toBe(true);
  });
});
