// Replaces a document's tags (each 1-32 Unicode letters, digits, _ or -).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const folder = await mkdtemp(join(tmpdir(), 'kb-example-'));
try {
  const path = join(folder, 'travel-policy.md');
  await writeFile(path, '# Travel\n\nBook trains over flights under 500 km.\n');
  const { fileId } = await client.uploadDocument(path, { tags: ['draft'], wait: false });

  await client.updateTags(fileId, ['policy', '差旅']);
  console.log((await client.describeFile(fileId)).Tags); // [ 'policy', '差旅' ]
} finally {
  await client.close();
  await rm(folder, { recursive: true, force: true });
}
