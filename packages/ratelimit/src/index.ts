export type { MemoryStoreOptions } from './create-memory-store.js';
export { createMemoryStore } from './create-memory-store.js';
export type { QuotaLimiter, QuotaLimiterOptions, QuotaSelection } from './create-quota-limiter.js';
export { createQuotaLimiter } from './create-quota-limiter.js';
export type { RateLimiter, RateLimiterOptions } from './create-rate-limiter.js';
export { createRateLimiter } from './create-rate-limiter.js';
export type { LocalFallback, RedisStoreOptions } from './create-redis-store.js';
export { createRedisStore } from './create-redis-store.js';
export type { ModelStudioLimiterOptions, ModelStudioQuota } from './model-studio-quotas.js';
export { createModelStudioLimiter, modelStudioQuotas } from './model-studio-quotas.js';
export type { AcquireOptions, QuotaOptions, QuotaUpdate } from './quota-options.js';
export type { RateLimitErrorCode } from './rate-limit-error.js';
export { RateLimitError, RateLimitStoreError } from './rate-limit-error.js';
export type {
  QuotaRule,
  RateLimitStore,
  StoreBatchResult,
  StoreDemand,
  StoreRequest,
} from './rate-limit-store.js';
export type { IoredisClient, NodeRedisClient, RedisEval } from './redis-adapters.js';
export { ioredisAdapter, nodeRedisAdapter } from './redis-adapters.js';
export { defaultWindowMarginMs } from './window-margin.js';
