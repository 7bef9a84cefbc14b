import { readFile } from 'node:fs/promises';
import { createModelStudioLimiter } from '@x/ratelimit';
import { createTempStorage } from '@x/temp-oss';

const storage = createTempStorage({
  baseUrl: process.env.MSTUDIO_ENDPOINT,
  limiter: createModelStudioLimiter(), // getPolicy: 100/s per account + model
});
const cat = new URL('./cat.png', import.meta.url);
const bytes = await readFile(cat);
const results = await storage.uploadMany([cat, cat, { file: bytes, fileName: 'c.png' }, 'missing.png'], {
  model: 'qwen-vl-plus',
  concurrency: 8,
});
for (const result of results) {
  if (result.status === 'fulfilled')
    console.log(result.value.url); // …/cat.png, …/cat-1.png, …/c.png
  else console.log(`file ${result.index}:`, (result.reason as Error).message); // one failure loses no other file
}
await storage.close();
