import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFilesClient, InvalidInputError } from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const file = await files.upload(new URL('./report.txt', import.meta.url), { purpose: 'file-extract' });

// A stream of the bytes, read as it arrives.
let text = '';
for await (const chunk of await files.content(file.id)) text += chunk;
console.log(text.split('\n')[0]);

// Or straight to disk: written beside the target and moved into place once complete, so a failure or an abort
// leaves no file at all.
const target = join(await mkdtemp(join(tmpdir(), 'download-')), 'copy.txt');
const bytes = await files.download(file.id, target);
console.log(`${bytes} bytes in ${target}:`, (await readFile(target, 'utf8')) === text);

// An existing file is kept unless you ask for it to be replaced.
try {
  await files.download(file.id, target);
} catch (error) {
  if (!InvalidInputError.isInstance(error) || error.code !== 'FILE_EXISTS') throw error;
  await files.download(file.id, target, { overwrite: true });
  console.log('replaced:', (await readFile(target, 'utf8')) === text);
}
await files.close();
