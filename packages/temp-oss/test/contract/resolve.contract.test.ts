import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTempStorage, ossResolveHeaders, withOssResolve } from '../../src/index.js';
import { contractContext, nativeModelCall } from './contract-context.js';

const context = await contractContext();
const storage = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
afterAll(() => storage.close());
beforeEach(() => context.admin.clearCalls());

const folder = join(context.directory, 'my photos');
await mkdir(folder);
// Names the Python SDK reads wrong: `+` (becomes a space there), `#` and `?` (cut off there).
const files = {
  space: join(folder, 'a b.png'),
  plus: join(folder, 'a+b.png'),
  hash: join(folder, 'a#1.png'),
  question: join(folder, 'what?.png'),
  frame1: join(folder, 'frame1.jpg'),
  frame2: join(folder, 'frame2.jpg'),
  audio: join(folder, 'voice.wav'),
};
for (const [index, path] of Object.values(files).entries())
  await writeFile(path, Buffer.alloc(100 + index, index));

describe('resolveLocalFiles', () => {
  it('uploads the files of DashScope native messages, written as file:// URLs the way people write them', async () => {
    const model = context.uniqueModel();
    const messages = [
      { role: 'system', content: [{ text: `file://${files.space}` }] },
      {
        role: 'user',
        content: [
          { image: `file://${files.space.replaceAll(' ', '%20')}` },
          { image: `file://${files.plus}` },
          { image: `file://${files.hash}` },
          { image: `file://${files.question}` },
          { video: [pathToFileURL(files.frame1).href, files.frame2, 'https://example.com/frame3.jpg'] },
          { audio: `file://localhost${files.audio}` },
          { text: `file://${files.audio}` },
        ],
      },
    ];
    const { messages: resolved, uploads } = await storage.resolveLocalFiles(messages, { model });
    expect(uploads).toHaveLength(7);
    const content = resolved[1]!.content as Record<string, unknown>[];
    const urls = uploads.map((upload) => upload.url);
    expect(content.slice(0, 4).map((part) => part.image)).toEqual(urls.slice(0, 4));
    const names = urls.map((url) => url.split('/').pop());
    // `a b.png` and `a+b.png` both become `a_b.png`: the second one to reserve it is numbered.
    expect(names.slice(0, 2).sort()).toEqual(['a_b-1.png', 'a_b.png']);
    expect(names.slice(2, 4)).toEqual(['a_1.png', 'what_.png']);
    expect(content[4]!.video).toEqual([urls[4], urls[5], 'https://example.com/frame3.jpg']);
    expect(content[5]!.audio).toBe(urls[6]);
    // Text is never a file, and the system message is untouched.
    expect(content[6]).toBe(messages[1]!.content[6]);
    expect(resolved[0]).toBe(messages[0]);
    // Each file went up with its own bytes: sizes 100..106 in the order above.
    expect(uploads.map((upload) => upload.sizeBytes)).toEqual([100, 101, 102, 103, 104, 105, 106]);

    const withHeader = await nativeModelCall(
      context.url,
      context.apiKey,
      model,
      resolved[1]!.content,
      withOssResolve(fetch),
    );
    expect(withHeader.status).toBe(200);
    for (const url of urls) expect(JSON.stringify(withHeader.body)).toContain(url);
    const withoutHeader = await nativeModelCall(context.url, context.apiKey, model, resolved[1]!.content);
    expect(withoutHeader.status).toBe(400);
    expect(withoutHeader.body).toMatchObject({ code: 'InvalidParameter' });
  });

  it('uploads OpenAI-style parts once per file, and the OpenAI SDK reads them through withOssResolve', async () => {
    const model = context.uniqueModel();
    const image = `file://${files.space}`;
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image_url', image_url: { url: image } },
          { type: 'image_url', image_url: { url: files.space } },
          { type: 'input_audio', input_audio: { data: files.audio, format: 'wav' } },
        ],
      },
    ];
    const { messages: resolved, uploads } = await storage.resolveLocalFiles(messages, { model });
    expect(uploads).toHaveLength(2);
    const parts = resolved[0]!.content as OpenAI.ChatCompletionContentPart[];
    expect(parts[1]).toEqual({ type: 'image_url', image_url: { url: uploads[0]!.url } });
    expect(parts[2]).toEqual({ type: 'image_url', image_url: { url: uploads[0]!.url } });
    expect(parts[3]).toEqual({ type: 'input_audio', input_audio: { data: uploads[1]!.url, format: 'wav' } });

    const baseURL = `${context.url}/compatible-mode/v1`;
    const resolving = new OpenAI({
      baseURL,
      apiKey: context.apiKey,
      fetch: withOssResolve(fetch),
      maxRetries: 0,
    });
    const completion = await resolving.chat.completions.create({ model, messages: resolved });
    expect(completion.choices[0]?.message.content).toContain(uploads[0]!.url);

    const withDefaultHeaders = new OpenAI({
      baseURL,
      apiKey: context.apiKey,
      defaultHeaders: ossResolveHeaders(),
    });
    await expect(
      withDefaultHeaders.chat.completions.create({ model, messages: resolved }),
    ).resolves.toBeDefined();

    const plain = new OpenAI({ baseURL, apiKey: context.apiKey, maxRetries: 0 });
    const error = await plain.chat.completions
      .create({ model, messages: resolved })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_parameter_error' });
  });

  it('cannot use a file uploaded for another model', async () => {
    const { messages } = await storage.resolveLocalFiles(
      [{ role: 'user', content: [{ image: files.plus }] }],
      {
        model: context.uniqueModel(),
      },
    );
    const other = await nativeModelCall(
      context.url,
      context.apiKey,
      context.uniqueModel(),
      messages[0]!.content,
      withOssResolve(fetch),
    );
    expect(other.status).toBe(400);
  });

  it('refuses a file:// URL or path that names no file, before uploading anything', async () => {
    const model = context.uniqueModel();
    const missing = [
      { role: 'user', content: [{ image: files.space }, { image: `file://${folder}/missing.png` }] },
    ];
    await expect(storage.resolveLocalFiles(missing, { model })).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    const remote = [{ role: 'user', content: [{ image: 'file://fileserver/share/x.png' }] }];
    await expect(storage.resolveLocalFiles(remote, { model })).rejects.toMatchObject({
      code: 'INVALID_FILE_URL',
    });
    const { getPolicy, postObject } = await context.callsFor(model);
    expect([getPolicy.length, postObject.length]).toEqual([0, 0]);
  });

  it('leaves messages without local files as they are, and bare names that are not files', async () => {
    const messages = [
      {
        role: 'user',
        content: [{ image: 'oss://dashscope-instant/x/cat.png' }, { image: 'cat-that-is-not-here.png' }],
      },
      { role: 'assistant', content: 'plain text' },
    ];
    const result = await storage.resolveLocalFiles(messages, { model: context.uniqueModel() });
    expect(result.messages).toBe(messages);
    expect(result.uploads).toEqual([]);
    expect((await context.callsFor('any')).all).toHaveLength(0);
  });
});
