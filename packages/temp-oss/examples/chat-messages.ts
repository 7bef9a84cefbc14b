import { createTempStorage, ossResolveHeaders } from '@x/temp-oss';

const endpoint = process.env.MSTUDIO_ENDPOINT;
const storage = createTempStorage({ baseUrl: endpoint });
const photo = new URL('./cat.png', import.meta.url).href; // file:///…/examples/cat.png

const { messages, uploads } = await storage.resolveLocalFiles(
  [{ role: 'user', content: [{ image: photo }, { text: 'Describe it' }] }],
  { model: 'qwen-vl-plus' },
);
// messages[0].content[0].image === uploads[0].url (an oss:// URL); send the call with ossResolveHeaders()
console.log(uploads.map((upload) => upload.url));

const response = await fetch(
  `${endpoint ?? 'https://dashscope.aliyuncs.com'}/api/v1/services/aigc/multimodal-generation/generation`,
  {
    method: 'POST',
    headers: {
      authorization: `Bearer ${process.env.DASHSCOPE_API_KEY}`,
      'content-type': 'application/json',
      ...ossResolveHeaders(),
    },
    body: JSON.stringify({ model: 'qwen-vl-plus', input: { messages } }),
  },
);
console.log(response.status, await response.json());
if (!response.ok) process.exitCode = 1;
await storage.close();
