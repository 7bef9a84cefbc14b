// One worker process of the multi-process test and the bench: the kb flow over @x/kb-lease, the account's quotas
// (scaled by QUOTA_SCALE) in @x/ratelimit's Redis store, jobs from the queue QUEUE on REDIS_URL.
import { createKnowledgeBaseClient } from '@x/kb-lease';
import { createQuotaLimiter, createRedisStore, modelStudioQuotas } from '@x/ratelimit';
import { Redis } from 'ioredis';
import { createIngestQueue, createWorker, knowledgeBaseFlow } from '../../src/index.js';

const scale = Number(process.env.QUOTA_SCALE ?? '1');
const redisUrl = process.env.REDIS_URL!;
const limiterRedis = new Redis(redisUrl, { enableOfflineQueue: false });
const limiter = createQuotaLimiter({
  quotas: Object.fromEntries(
    Object.entries(modelStudioQuotas).map(([name, quota]) => [
      name,
      { limit: Math.floor(quota.limit * scale), intervalMs: quota.intervalMs },
    ]),
  ) as Record<keyof typeof modelStudioQuotas, { limit: number; intervalMs: number }>,
  store: createRedisStore({ client: limiterRedis, prefix: `${process.env.QUEUE}-quota:` }),
});
const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT, limiter });
const queue = createIngestQueue({ connection: redisUrl, name: process.env.QUEUE! });
const worker = createWorker({
  queue,
  flows: [knowledgeBaseFlow({ client })],
  concurrency: Number(process.env.CONCURRENCY ?? '8'),
  limiter,
  ...(process.env.LOCK_DURATION_MS && { lockDurationMs: Number(process.env.LOCK_DURATION_MS) }),
  ...(process.env.STALLED_INTERVAL_MS && { stalledIntervalMs: Number(process.env.STALLED_INTERVAL_MS) }),
});
await worker.worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await worker.close();
  await queue.close();
  await client.close();
  await limiter.close();
  limiterRedis.disconnect();
});
