import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, NetworkError } from '../../src/index.js';
import { contractContext } from './contract-context.js';

const context = await contractContext();
const files = context.client();

afterEach(() => context.admin.clearFaults());

/** Uploads `content` as `name` and returns its id. */
async function uploaded(name: string, content: string | Uint8Array): Promise<string> {
  const file = await files.upload(await context.write(name, content), { purpose: 'file-extract' });
  return file.id;
}

/** A fresh, empty folder for one test's downloads. */
async function folder(name: string): Promise<string> {
  const path = join(context.directory, 'downloads', name);
  await mkdir(path, { recursive: true });
  return path;
}

/** Text of the given size, valid UTF-8, different on every call. */
function text(sizeBytes: number): string {
  return randomBytes(Math.ceil(sizeBytes / 2))
    .toString('hex')
    .slice(0, sizeBytes);
}

describe('content', () => {
  it('streams the stored bytes, not read until the caller reads', async () => {
    const content = text(3 * 1024 * 1024);
    const id = await uploaded('content-stream.txt', content);
    const stream = await files.content(id);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(content);
  });

  it('fails the stream, not silently short, when the answer breaks off', async () => {
    const id = await uploaded('content-reset.txt', text(4096));
    await context.admin.addFault({ route: 'files.content', fault: { type: 'reset', phase: 'response' } });
    const stream = await files.content(id);
    const error = await (async () => {
      for await (const _chunk of stream) {
        // read until the connection drops
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
  });

  it('rethrows the abort reason, before and while the bytes arrive', async () => {
    const id = await uploaded('content-abort.txt', text(4096));
    const reason = new Error('stop');
    await expect(files.content(id, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);

    await context.admin.addFault({ route: 'files.content', fault: { type: 'stall', phase: 'response' } });
    const controller = new AbortController();
    const stream = await files.content(id, { signal: controller.signal });
    const reading = (async () => {
      for await (const _chunk of stream) controller.abort(reason);
    })();
    await expect(reading).rejects.toBe(reason);
  });
});

describe('download', () => {
  it('writes every byte to the path and leaves nothing else beside it', async () => {
    const content = text(2 * 1024 * 1024 + 17);
    const id = await uploaded('download-ok.txt', content);
    const directory = await folder('ok');
    const target = join(directory, 'copy.txt');
    expect(await files.download(id, target)).toBe(Buffer.byteLength(content));
    expect(await readFile(target, 'utf8')).toBe(content);
    expect(await readdir(directory)).toEqual(['copy.txt']);
  });

  it('keeps an existing file unless asked: FILE_EXISTS before anything is requested', async () => {
    const id = await uploaded('download-exists.txt', 'new content\n');
    const directory = await folder('exists');
    const target = join(directory, 'kept.txt');
    await writeFile(target, 'old content\n');
    const since = await context.lastCallId();
    const error = await files.download(id, target).catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error) && error.code).toBe('FILE_EXISTS');
    expect(InvalidInputError.isInstance(error) && error.path).toBe(target);
    expect(await context.calls('files.content', since)).toEqual([]);
    expect(await readFile(target, 'utf8')).toBe('old content\n');

    expect(await files.download(id, target, { overwrite: true })).toBe(12);
    expect(await readFile(target, 'utf8')).toBe('new content\n');
    expect(await readdir(directory)).toEqual(['kept.txt']);
  });

  it('does not replace a file that appears while the bytes arrive', async () => {
    const id = await uploaded('download-race.txt', text(4096));
    const directory = await folder('race');
    const target = join(directory, 'raced.txt');
    // The answer is held back a second; the file appears meanwhile (on a slow machine perhaps before the first
    // check, which refuses it the same way).
    await context.admin.addFault({ route: 'files.content', fault: { type: 'delay', delayMs: 1000 } });
    const downloading = files.download(id, target).catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(target, 'written meanwhile\n');
    const error = await downloading;
    expect(InvalidInputError.isInstance(error) && error.code).toBe('FILE_EXISTS');
    expect(await readFile(target, 'utf8')).toBe('written meanwhile\n');
    expect(await readdir(directory)).toEqual(['raced.txt']);
  });

  it('leaves no file, partial or temporary, when the answer breaks off', async () => {
    const id = await uploaded('download-reset.txt', text(4096));
    const directory = await folder('reset');
    const target = join(directory, 'broken.txt');
    await context.admin.addFault({ route: 'files.content', fault: { type: 'reset', phase: 'response' } });
    const error = await files.download(id, target).catch((caught: unknown) => caught);
    expect(NetworkError.isInstance(error)).toBe(true);
    expect(await readdir(directory)).toEqual([]);
  });

  it('rethrows the abort reason and leaves nothing when aborted in the middle of the bytes', async () => {
    const id = await uploaded('download-abort.txt', text(4096));
    const directory = await folder('abort');
    const target = join(directory, 'aborted.txt');
    await context.admin.addFault({ route: 'files.content', fault: { type: 'stall', phase: 'response' } });
    const controller = new AbortController();
    const reason = new Error('user stopped the download');
    const downloading = files
      .download(id, target, { signal: controller.signal })
      .catch((caught: unknown) => caught);
    // The head and the first bytes arrived (the temporary file beside the target exists); the rest never comes.
    while (!(await readdir(directory)).some((name) => name.endsWith('.part'))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    controller.abort(reason);
    expect(await downloading).toBe(reason);
    expect(await readdir(directory)).toEqual([]);
  });

  it('refuses a bad id or path before anything is requested', async () => {
    const since = await context.lastCallId();
    await expect(files.download('', join(context.directory, 'x.txt'))).rejects.toMatchObject({
      code: 'INVALID_FILE_ID',
    });
    await expect(files.download('file-fe-1', '')).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(
      files.download('file-fe-1', join(context.directory, 'x.txt'), { force: true } as never),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(await context.calls('files.content', since)).toEqual([]);
  });
});
