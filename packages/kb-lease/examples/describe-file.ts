// Reads a document's state and every field the service sends.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const folder = await mkdtemp(join(tmpdir(), 'kb-example-'));
try {
  const path = join(folder, 'office-hours.txt');
  await writeFile(path, 'The office is open from 9 to 17.\n');
  const { fileId } = await client.uploadDocument(path, { wait: false });

  const file = await client.describeFile(fileId);
  console.log(file.FileName, file.Status, file.SizeInBytes); // office-hours.txt  INIT (or a later state)  33
} finally {
  await client.close();
  await rm(folder, { recursive: true, force: true });
}
