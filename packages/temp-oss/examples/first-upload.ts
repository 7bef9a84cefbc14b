import { createTempStorage, withOssResolve } from '@x/temp-oss';
import OpenAI from 'openai';

// MSTUDIO_ENDPOINT=http://127.0.0.1:PORT points at the emulator; unset, the real service (China (Beijing)).
const endpoint = process.env.MSTUDIO_ENDPOINT;
const storage = createTempStorage({ baseUrl: endpoint }); // the key from DASHSCOPE_API_KEY
const image = await storage.upload(new URL('./cat.png', import.meta.url), {
  model: 'qwen-vl-plus',
  onProgress: ({ loadedBytes, totalBytes }) => console.log(`${loadedBytes} of ${totalBytes} bytes`),
});
console.log(image.url, 'until', image.expiresAt); // oss://dashscope-instant/…/cat.png, 48 hours from now

// The OpenAI SDK does not send X-DashScope-OssResourceResolve; wrap its fetch so oss:// URLs resolve.
const openai = new OpenAI({
  baseURL: `${endpoint ?? 'https://dashscope.aliyuncs.com'}/compatible-mode/v1`,
  apiKey: process.env.DASHSCOPE_API_KEY,
  fetch: withOssResolve(fetch),
});
const completion = await openai.chat.completions.create({
  model: 'qwen-vl-plus', // the same model the file was uploaded for
  messages: [
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: image.url } },
        { type: 'text', text: 'What is this?' },
      ],
    },
  ],
});
console.log(completion.choices[0]?.message.content);
await storage.close();
