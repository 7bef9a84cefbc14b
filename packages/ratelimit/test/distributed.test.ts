import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { maxInWindow } from './support/windows.js';

const port = inject('redisPort');
if (port === undefined)
  console.warn('redis-server is not installed: skipping the distributed rate limit test');

const run = promisify(execFile);

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
      START_AT: String(Date.now() + 1500),
    };
    const worker = join(import.meta.dirname, 'support/distributed-worker.mjs');
    const outputs = await Promise.all([1, 2, 3, 4].map(() => run(process.execPath, [worker], { env })));
    const perProcess = outputs.map(({ stdout }) => JSON.parse(stdout) as number[]);
    const starts = perProcess.flat();
    expect(perProcess.map((times) => times.length)).toEqual([tasks, tasks, tasks, tasks]);
    // The shared bound holds exactly: full bursts, never one start more.
    expect(maxInWindow(starts, intervalMs)).toBe(limit);
    // And each process alone got fewer than the limit in some window: they really competed.
    expect(Math.min(...perProcess.map((times) => maxInWindow(times, intervalMs)))).toBeLessThan(limit);
  });
});
