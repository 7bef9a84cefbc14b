import { createQuotaLimiter } from '@x/ratelimit';

const limiter = createQuotaLimiter({
  quotas: {
    perAccount: { limit: 50, intervalMs: 1000 },
    perModel: { limit: 10, intervalMs: 1000 },
  },
});
const account = 'account-1';
const model = 'qwen-vl-plus';
const callModel = async () => `${model} answered`;

// Admitted only when both allow it; while it waits, it holds neither.
console.log(
  await limiter.schedule({ perAccount: account, perModel: `${account}:${model}` }, () => callModel()),
);

// Plain string keys work too ("<quota>:<key>" by default, or pass `route`), so a transport can consult it.
const release = await limiter.acquire(`perModel:${account}:${model}`);
release();

// A key that names no quota is a typed error, before anything is counted.
await limiter.acquire(`perRegion:${account}`).catch((error) => console.log(error.code)); // UNKNOWN_QUOTA
await limiter.close();
