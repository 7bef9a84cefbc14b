import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchInputError, createFilesClient } from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const path = join(await mkdtemp(join(tmpdir(), 'batch-')), 'requests.jsonl');
const request = (id: string, question: string) =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'qwen-plus', messages: [{ role: 'user', content: question }] },
  });
await writeFile(path, `${request('q-1', 'What is 2 + 2?')}\n${request('q-2', 'Name a prime.')}\n`);

// Every line is checked before a byte is sent; a bad line is named with its number.
const file = await files.upload(path, { purpose: 'batch' });
console.log(file.id, file.purpose, file.bytes);

await writeFile(path, `${request('q-1', 'one')}\n${request('q-1', 'again')}\n`);
try {
  await files.upload(path, { purpose: 'batch' });
} catch (error) {
  if (!BatchInputError.isInstance(error)) throw error;
  console.log(`refused before sending: line ${error.lineNumber}: ${error.reason}`);
}
await files.close();
