import { createFilesClient } from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
await files.upload(new URL('./report.txt', import.meta.url), { purpose: 'file-extract' });

// Every file, page after page; a cursor the service repeats ends the loop with an error, never an endless loop.
let count = 0;
let bytes = 0;
for await (const file of files.listAll({ limit: 100 })) {
  count += 1;
  bytes += file.bytes;
}
console.log(`${count} files, ${bytes} bytes (the account may hold 10,000 files and 100 GB)`);
await files.close();
