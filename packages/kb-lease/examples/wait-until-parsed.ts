// Adds a document without waiting, then waits for it to be parsed (as for a document an earlier run added).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient, KnowledgeBaseError } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const folder = await mkdtemp(join(tmpdir(), 'kb-example-'));
try {
  const path = join(folder, 'holidays.txt');
  await writeFile(path, 'The office is closed on public holidays.\n');
  const { fileId } = await client.uploadDocument(path, { wait: false });

  const file = await client.waitUntilParsed(fileId, {
    timeoutMs: 10 * 60_000, // then PollTimeoutError (code TIMEOUT)
    signal: AbortSignal.timeout(15 * 60_000),
  });
  console.log(file.FileId, file.Status); // file_…  PARSE_SUCCESS
} catch (error) {
  if (KnowledgeBaseError.isInstance(error) && error.code === 'PARSE_FAILED') {
    console.error(`${error.fileId} could not be parsed: ${error.message}`);
  }
  throw error;
} finally {
  await client.close();
  await rm(folder, { recursive: true, force: true });
}
