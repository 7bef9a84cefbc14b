import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '@x/emulator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { maxInWindow, seededRandom } from '../../ratelimit/test/support/windows.js';
import { createIngestQueue, enqueue, type IngestQueue, progress, waitForBatch } from '../src/index.js';

const port = inject('redisPort');
const documents = 2000;
/** The emulator's AddFile quota in this test: the documented 10/s scaled up, so 2,000 documents take ~25 s. */
const addFilePerSecond = 100;
/**
 * The workers' limiter keeps 70% of it (`share`, as a team leaves room for other clients): the margin covers the time
 * between a call's start at a worker and its arrival at the emulator, which a loaded machine stretches to hundreds of
 * milliseconds (a starved emulator takes requests in bursts), so a window of arrivals never holds more than 100.
 */
const quotaScale = 7;

describe.skipIf(port === undefined)('four worker processes, killed and restarted mid-run', () => {
  let emulator: Emulator;
  let directory: string;
  let queue: IngestQueue;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    emulator = await createEmulator({
      bailian: {
        rateLimits: {
          AddFile: addFilePerSecond,
          ApplyFileUploadLease: addFilePerSecond,
          DescribeFile: addFilePerSecond,
          ListFile: 50,
        },
      },
    });
    directory = await mkdtemp(join(tmpdir(), 'ingest-killed-'));
    queue = createIngestQueue({ connection: `redis://127.0.0.1:${port}`, name: `killed-${process.pid}` });
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await queue?.queue.obliterate({ force: true });
    await queue?.close();
    await emulator?.close();
    await rm(directory, { recursive: true, force: true });
  });

  function startWorker(): Promise<ChildProcess> {
    const { account, url } = emulator;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'support/kb-worker.ts')],
      {
        cwd: join(import.meta.dirname, '..'),
        env: {
          ...process.env,
          MSTUDIO_ENDPOINT: url,
          ALIBABA_CLOUD_ACCESS_KEY_ID: account.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: account.accessKeySecret,
          BAILIAN_WORKSPACE_ID: account.workspaceId,
          REDIS_URL: `redis://127.0.0.1:${port}`,
          QUEUE: queue.name,
          QUOTA_SCALE: String(quotaScale),
          CONCURRENCY: '8',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.add(child);
    child.once('exit', () => children.delete(child));
    return new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal})`)));
      child.stdout!.once('data', () => resolve(child));
    });
  }

  it('adds every document exactly once, and never sends AddFile over the quota in any second', async () => {
    await mkdir(join(directory, 'docs'));
    const paths = Array.from({ length: documents }, (_, index) =>
      join(directory, 'docs', `doc-${String(index).padStart(4, '0')}.txt`),
    );
    await Promise.all(paths.map((path, index) => writeFile(path, `document ${index}\n`)));
    expect(await enqueue(paths, { queue, flow: 'kb', options: { wait: false } })).toMatchObject({
      added: documents,
    });

    const workers = await Promise.all([1, 2, 3, 4].map(() => startWorker()));
    // Kills at fixed points of the batch (not of the clock), each of a worker picked by a seeded PRNG, which is
    // started again at once: the same schedule on a fast machine and on a loaded one.
    const random = seededRandom(16);
    const killAt = [0.15, 0.35, 0.55, 0.75];
    let kills = 0;
    const final = await waitForBatch(queue, {
      intervalMs: 200,
      onProgress: (snapshot) => {
        if (kills < killAt.length && snapshot.completed >= killAt[kills]! * documents) {
          kills += 1;
          const index = Math.floor(random() * workers.length);
          workers[index]!.kill('SIGKILL');
          void startWorker().then((child) => {
            workers[index] = child;
          });
        }
      },
    });
    expect(kills).toBe(killAt.length);
    expect(final).toMatchObject({ total: documents, completed: documents, failed: 0 });

    // The emulator's file list: every document once, no other file.
    const names = [...emulator.state.bailian.files.values()].map((file) => file.fileName).sort();
    expect(names).toEqual(paths.map((path) => path.slice(path.lastIndexOf('/') + 1)).sort());
    // Its record of calls: one successful AddFile per document, none refused for the quota.
    const addFiles = emulator.calls.filter((call) => call.route === 'AddFile');
    expect(addFiles.filter((call) => call.status === 200)).toHaveLength(documents);
    expect(addFiles.filter((call) => call.status === 429)).toHaveLength(0);
    // Arrivals at the emulator, in any 1-s window: never over the quota.
    expect(
      maxInWindow(
        addFiles.map((call) => call.startedAtMs),
        1000,
      ),
    ).toBeLessThanOrEqual(addFilePerSecond);
    // Every job's result is the FileId the emulator gave that document.
    const fileIds = new Set(emulator.state.bailian.files.keys());
    const results = await queue.redis.hvals(`bull:${queue.name}:ingest:done`);
    expect(new Set(results.map((result) => (JSON.parse(result) as { id: string }).id))).toEqual(fileIds);
    expect((await progress(queue)).failures).toEqual([]);

    await Promise.all(
      workers.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }, 600_000);
});
