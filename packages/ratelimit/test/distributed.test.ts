import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, inject, it } from 'vitest';
import { maxInWindow } from './support/windows.js';

const port = inject('redisPort');
if (port === undefined)
  console.warn('redis-server is not installed: skipping the distributed rate limit test');

/** A worker process and its stdout lines. */
function startWorker(worker: string, env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, [worker], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = once(child, 'exit');
  return {
    child,
    async line(): Promise<string> {
      const next = await lines.next();
      if (next.done) throw new Error(`worker exited early (${String((await exited)[0])})`);
      return next.value;
    },
    exited,
  };
}

describe.skipIf(port === undefined)('four processes sharing one limit through Redis', () => {
  it('never exceed the limit in any sliding window, measured at the start of each call', async () => {
    const limit = 40;
    const intervalMs = 500;
    const tasks = 70;
    const env = {
      ...process.env,
      LIBRARY_PATH: inject('libraryPath'),
      REDIS_PORT: String(port),
      PREFIX: `distributed-${process.pid}:`,
      LIMIT: String(limit),
      INTERVAL_MS: String(intervalMs),
      TASKS: String(tasks),
    };
    const worker = join(import.meta.dirname, 'support/distributed-worker.mjs');
    const workers = [1, 2, 3, 4].map(() => startWorker(worker, env));
    // A barrier, not a start time: a worker slow to start on a loaded machine would otherwise find the others done
    // and take whole windows alone.
    expect(await Promise.all(workers.map((each) => each.line()))).toEqual([
      'ready',
      'ready',
      'ready',
      'ready',
    ]);
    for (const each of workers) each.child.stdin!.end('go\n');
    const perProcess = await Promise.all(
      workers.map(async (each) => JSON.parse(await each.line()) as number[]),
    );
    const codes = await Promise.all(workers.map(async (each) => (await each.exited)[0]));
    expect(codes).toEqual([0, 0, 0, 0]);
    const starts = perProcess.flat();
    expect(perProcess.map((times) => times.length)).toEqual([tasks, tasks, tasks, tasks]);
    // The shared bound holds exactly: full bursts, never one start more.
    expect(maxInWindow(starts, intervalMs)).toBe(limit);
    // And each process alone got fewer than the limit in some window: they really competed.
    expect(Math.min(...perProcess.map((times) => maxInWindow(times, intervalMs)))).toBeLessThan(limit);
  });
});
