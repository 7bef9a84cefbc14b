// Takes one document from a local file to PARSE_SUCCESS, exactly once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

// Reads BAILIAN_WORKSPACE_ID and the ALIBABA_CLOUD_ACCESS_KEY_* variables; MSTUDIO_ENDPOINT points at an emulator.
const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT, region: 'cn-beijing' });

const folder = await mkdtemp(join(tmpdir(), 'kb-example-'));
try {
  const path = join(folder, 'employee-handbook.md');
  await writeFile(path, '# Employee handbook\n\nHolidays are booked in the HR portal.\n');

  const document = await client.uploadDocument(path, {
    tags: ['hr', '手册'],
    onProgress: ({ loadedBytes, totalBytes }) =>
      console.log(`uploaded ${loadedBytes} of ${totalBytes} bytes`),
  });
  console.log(document.fileId, document.status); // file_…  PARSE_SUCCESS
} finally {
  await client.close();
  await rm(folder, { recursive: true, force: true });
}
