import { createTempStorage, isExpired } from '@x/temp-oss';

const storage = createTempStorage({ baseUrl: process.env.MSTUDIO_ENDPOINT });
const model = 'qwen-vl-plus';
const photo = new URL('./cat.png', import.meta.url);

let image = await storage.upload(photo, { model });
// Ten minutes of margin: a URL that will expire before the model reads it is uploaded again.
if (isExpired(image, { marginMs: 10 * 60_000 })) image = await storage.upload(photo, { model });
console.log(image.url, 'expires at', image.expiresAt.toISOString());
await storage.close();
