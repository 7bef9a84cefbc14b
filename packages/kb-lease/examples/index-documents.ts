// Builds a knowledge-base index from a document, adds a second one in the same call that uploads it, lists the
// index's documents, and removes one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const folder = await mkdtemp(join(tmpdir(), 'kb-example-'));
try {
  const firstPath = join(folder, 'onboarding.md');
  await writeFile(firstPath, '# Onboarding\n\nDay one: laptop and badge.\n');
  const first = await client.uploadDocument(firstPath);

  // CreateIndex only initialises the index: createIndex also submits the job that builds it.
  const { indexId, jobId } = await client.createIndex({ name: 'company-kb', documentIds: [first.fileId] });
  await client.waitForIndexJob(indexId, jobId, { documentIds: [first.fileId] });

  // One call takes a file to searchable: upload, parse, SubmitIndexAddDocumentsJob, GetIndexJobStatus until FINISH.
  const secondPath = join(folder, 'offboarding.md');
  await writeFile(secondPath, '# Offboarding\n\nReturn the laptop.\n');
  const second = await client.uploadDocument(secondPath, { indexId });

  for await (const document of client.listIndexDocuments(indexId)) console.log(document.Id, document.Status);

  const { jobId: addJobId } = await client.addDocumentsToIndex(indexId, [second.fileId]);
  console.log('submitted', addJobId);
  await client.deleteIndexDocuments(indexId, [first.fileId]);
} finally {
  await client.close();
  await rm(folder, { recursive: true, force: true });
}
