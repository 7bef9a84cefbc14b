// Deletes a document once it is parsed (a document being parsed cannot be deleted).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const folder = await mkdtemp(join(tmpdir(), 'kb-example-'));
try {
  const path = join(folder, 'old-announcement.txt');
  await writeFile(path, 'The canteen closes early on Friday.\n');
  const { fileId } = await client.uploadDocument(path);

  await client.deleteFile(fileId);
  const gone = await client.describeFile(fileId).catch((error: Error) => error.message);
  // A deleted (or unknown) FileId is a 400 InvalidParameter, the data center's only documented refusal (spec §3.6, §7).
  console.log(gone); // GET /…/datacenter/file/…/: 400 Bad Request (InvalidParameter, …): Required parameter(FileId) missing or invalid, …
} finally {
  await client.close();
  await rm(folder, { recursive: true, force: true });
}
