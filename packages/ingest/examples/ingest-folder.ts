// Enqueue a folder, run two workers, watch the batch finish. REDIS_URL points at any Redis 6.2+.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIngestQueue, createWorker, enqueue, type IngestFlow, waitForBatch } from '@x/ingest';
import { createTempStorage } from '@x/temp-oss';

const folder = await mkdtemp(join(tmpdir(), 'ingest-example-'));
const paths: string[] = [];
for (let index = 0; index < 20; index++) {
  const path = join(folder, `page-${index}.txt`);
  await writeFile(path, `page ${index}\n`);
  paths.push(path);
}

// A flow: how one document gets into the service. Here, DashScope temporary storage.
const storage = createTempStorage({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const ossFlow: IngestFlow = {
  name: 'oss',
  async upload(source, { options, signal }) {
    const { url } = await storage.upload(source, { model: String(options.model), signal });
    return { id: url, status: 'uploaded' };
  },
  async lookup() {
    return undefined; // temporary storage cannot be listed: a rerun uploads again
  },
};

const queue = createIngestQueue({
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  name: 'example',
});
const first = await enqueue(paths, { queue, flow: 'oss', options: { model: 'qwen-vl-plus' } });
const again = await enqueue(paths, { queue, flow: 'oss', options: { model: 'qwen-vl-plus' } });
process.stdout.write(`added ${first.added}, then ${again.added} on the second enqueue\n`);

// Usually separate processes, on several machines; here two in one process.
const workers = [createWorker({ queue, flows: [ossFlow] }), createWorker({ queue, flows: [ossFlow] })];
const done = await waitForBatch(queue, {
  intervalMs: 200,
  onProgress: (p) =>
    process.stdout.write(`${p.completed}/${p.total} done, ${p.ratePerSecond.toFixed(1)}/s\n`),
});
if (done.completed !== paths.length || done.failed !== 0)
  throw new Error(`unexpected end: ${JSON.stringify(done)}`);

await Promise.all(workers.map((worker) => worker.close()));
await queue.queue.obliterate({ force: true }); // forget the example's jobs
await queue.close();
await storage.close();
await rm(folder, { recursive: true, force: true });
