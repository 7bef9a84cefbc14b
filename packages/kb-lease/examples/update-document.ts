// Replaces a document: the new version is parsed first, and only then is the old one deleted.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const folder = await mkdtemp(join(tmpdir(), 'kb-example-'));
try {
  const path = join(folder, 'price-list.md');
  await writeFile(path, '# Prices\n\nBasic plan: 10 per month.\n');
  const first = await client.uploadDocument(path);

  await writeFile(path, '# Prices\n\nBasic plan: 12 per month.\n');
  const second = await client.updateDocument(first.fileId, path);
  console.log(`${second.replacedFileId} -> ${second.fileId}`, second.status); // … -> …  PARSE_SUCCESS
} finally {
  await client.close();
  await rm(folder, { recursive: true, force: true });
}
