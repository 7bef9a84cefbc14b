import { createModelStudioLimiter, modelStudioQuotas } from '@x/ratelimit';

const limiter = createModelStudioLimiter(); // optional `store` (Redis) and `share` to leave room for other clients
const accountId = 'account-1';
const model = 'qwen-vl-plus';

// Keys are "<quota>:<account>" (getPolicy also names the model), the names in the table below.
await limiter.schedule(`filesUpload:${accountId}`, async () => console.log('upload a file'));
await limiter.schedule(`getPolicy:${accountId}:${model}`, async () => console.log('get an upload policy'));
console.log(modelStudioQuotas.addFile); // { limit: 10, intervalMs: 1000 }
await limiter.close();
