import { createRateLimiter, createRedisStore } from '@x/ratelimit';
import { Redis } from 'ioredis';

// Without an offline queue a command sent before the connection is ready fails at once: connect first.
const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  enableOfflineQueue: false,
  lazyConnect: true,
});
await client.connect();

const store = createRedisStore({
  client, // or a node-redis client, or { eval(script, keys, args) }
  prefix: 'ratelimit:',
  onError: { fallback: 'local', share: 1 / 4 }, // default 'fail-closed'
  onStoreError: (error) => console.warn(error.message),
});
const limiter = createRateLimiter({ limit: 10, intervalMs: 1000, store });

// Every process that uses this Redis shares the 10 starts per second of the key.
for (let call = 1; call <= 3; call += 1) {
  await limiter.schedule('account-1', async () => console.log(`call ${call} started`));
}
await limiter.close();
client.disconnect();
