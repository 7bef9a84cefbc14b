import { createFilesClient } from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const file = await files.upload(new URL('./report.txt', import.meta.url), { purpose: 'file-extract' });

const deleted = await files.delete(file.id);
console.log(deleted); // { object: 'file', deleted: true, id: 'file-fe-…' }

// Files never expire: delete what is older than a week to stay under 10,000 files and 100 GB.
const weekAgo = new Date(Date.now() - 7 * 24 * 3600_000);
for await (const old of files.listAll({ createdBefore: weekAgo })) {
  await files.delete(old.id);
  console.log('deleted', old.id);
}
await files.close();
