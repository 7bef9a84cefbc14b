// One of several processes sharing one limit through Redis. Prints `ready`, waits for a line on stdin, then prints
// its start times (CLOCK_MONOTONIC, in ms,
// comparable across processes on one machine) as JSON.
import { Redis } from 'ioredis';

const { LIBRARY_PATH, REDIS_PORT, PREFIX, LIMIT, INTERVAL_MS, TASKS } = process.env;
const { createRateLimiter, createRedisStore } = await import(LIBRARY_PATH);

const client = new Redis({
  port: Number(REDIS_PORT),
  host: '127.0.0.1',
  enableOfflineQueue: false,
  lazyConnect: true,
});
await client.connect();
const limiter = createRateLimiter({
  limit: Number(LIMIT),
  intervalMs: Number(INTERVAL_MS),
  store: createRedisStore({ client, prefix: PREFIX }),
});
// Start together, so the processes compete from the first call: say ready, then wait for the parent's go, which
// it sends once every worker is ready (however long each took to start on a loaded machine).
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const starts = [];
await Promise.all(
  Array.from({ length: Number(TASKS) }, () =>
    limiter.schedule('shared', () => starts.push(Number(process.hrtime.bigint()) / 1e6)),
  ),
);
await limiter.close();
await client.quit();
process.stdout.write(`${JSON.stringify(starts)}\n`);
