import { createFilesClient, FileProcessingError } from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const uploaded = await files.upload(new URL('./report.txt', import.meta.url), { purpose: 'file-extract' });

console.log('right after upload:', (await files.retrieve(uploaded.id)).status);
try {
  // Polls with backoff (500 ms up to 5 s) inside the 10 calls per second quota.
  const file = await files.waitUntilProcessed(uploaded.id, { timeoutMs: 60_000 });
  console.log('now:', file.status);
} catch (error) {
  if (FileProcessingError.isInstance(error)) console.log('could not be parsed:', error.statusDetails);
  else throw error;
}
await files.close();
