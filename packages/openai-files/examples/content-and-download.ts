import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFilesClient } from '@x/openai-files';

const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const file = await files.upload(new URL('./report.txt', import.meta.url), { purpose: 'file-extract' });

// A stream of the bytes, read as it arrives.
let text = '';
for await (const chunk of await files.content(file.id)) text += chunk;
console.log(text.split('\n')[0]);

// Or straight to disk: written beside the target and renamed into place once complete.
const target = join(await mkdtemp(join(tmpdir(), 'download-')), 'copy.txt');
const bytes = await files.download(file.id, target);
console.log(`${bytes} bytes in ${target}:`, (await readFile(target, 'utf8')) === text);
await files.close();
