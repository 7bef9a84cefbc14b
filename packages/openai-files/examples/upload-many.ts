import { createFilesClient } from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const encoder = new TextEncoder();

// At most 3 uploads start per second (the service's quota); every file gets a result.
const results = await files.uploadMany(
  [
    { file: encoder.encode('first note'), fileName: 'first.txt' },
    { file: encoder.encode('second note'), fileName: 'second.md' },
    { file: new URL('./report.txt', import.meta.url) },
    { file: encoder.encode('no such type'), fileName: 'slides.pptx' },
  ],
  { purpose: 'file-extract', concurrency: 2 },
);
for (const result of results) {
  if (result.status === 'fulfilled') console.log(result.index, 'uploaded', result.value.id);
  else console.log(result.index, 'failed', (result.reason as Error).message);
}
await files.close();
