import { createFilesClient } from '@x/openai-files';

// The key comes from DASHSCOPE_API_KEY; MSTUDIO_ENDPOINT points at an emulator (unset: Beijing).
const files = createFilesClient({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const report = new URL('./report.txt', import.meta.url);

const file = await files.upload(report, {
  purpose: 'file-extract',
  onProgress: ({ loadedBytes, totalBytes }) => console.log(`${loadedBytes} of ${totalBytes} bytes`),
});
console.log(file.id, file.filename, file.bytes, file.status);
await files.close();
