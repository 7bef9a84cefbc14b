// A knowledge-base batch: the kb flow over @x/kb-lease, one limiter shared through Redis, and step markers that keep
// AddFile to once per document even when a worker dies mid-call. REDIS_URL points at any Redis 6.2+.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIngestQueue, createWorker, enqueue, knowledgeBaseFlow, waitForBatch } from '@x/ingest';
import { createKnowledgeBaseClient } from '@x/kb-lease';
import { createModelStudioLimiter, createRedisStore } from '@x/ratelimit';
import { Redis } from 'ioredis';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const folder = await mkdtemp(join(tmpdir(), 'kb-batch-'));
const paths: string[] = [];
for (let index = 0; index < 12; index++) {
  const path = join(folder, `faq-${index}.md`);
  await writeFile(path, `# Question ${index}\n\nAnswer ${index}.\n`);
  paths.push(path);
}

// One limiter for the account, whichever machine a worker runs on: AddFile 10/s holds for all of them together.
const limiterRedis = new Redis(redisUrl, { enableOfflineQueue: false });
const limiter = createModelStudioLimiter({ store: createRedisStore({ client: limiterRedis }) });
const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT, limiter });

const queue = createIngestQueue({ connection: redisUrl, name: `kb-example-${Date.now()}` });
const { added } = await enqueue(paths, {
  queue,
  flow: 'kb',
  options: { categoryId: 'default', wait: false },
});
process.stdout.write(`added ${added} documents\n`);

const worker = createWorker({ queue, flows: [knowledgeBaseFlow({ client })], concurrency: 4, limiter });
const done = await waitForBatch(queue, { intervalMs: 200 });
process.stdout.write(`${done.completed} in the knowledge base, ${done.failed} failed\n`);
if (done.completed !== paths.length) throw new Error(`unexpected end: ${JSON.stringify(done)}`);

await worker.close();
await queue.queue.obliterate({ force: true });
await queue.close();
await client.close();
await limiter.close();
limiterRedis.disconnect();
await rm(folder, { recursive: true, force: true });
