// Uploads a batch with a manifest: run it again after an interruption and nothing is lost or added twice.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

const folder = await mkdtemp(join(tmpdir(), 'kb-batch-'));
const paths: string[] = [];
for (let index = 1; index <= 5; index += 1) {
  const path = join(folder, `faq-${index}.md`);
  await writeFile(path, `# Question ${index}\n\nAnswer ${index}.\n`);
  paths.push(path);
}

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const manifest = join(folder, 'batch.jsonl');
const results = await client.uploadMany(paths, { concurrency: 4, manifest, wait: false });
for (const result of results) {
  if (result.status === 'fulfilled') console.log(result.index, result.value.fileId);
  else console.error(result.index, result.reason);
}

// A rerun with the same manifest skips every document already added with the same MD5.
const again = await client.uploadMany(paths, { manifest, wait: false });
console.log(again.every((result) => result.status === 'fulfilled' && result.value.skipped)); // true
await client.close();
