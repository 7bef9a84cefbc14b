import { createQuotaLimiter, type QuotaLimiter } from './create-quota-limiter.js';
import type { QuotaOptions } from './quota-options.js';
import { RateLimitError } from './rate-limit-error.js';
import type { RateLimitStore } from './rate-limit-store.js';

/**
 * The documented Alibaba Cloud Model Studio quotas, per account unless noted. Keys: `"<quota>:<accountId>"`, and
 * `"getPolicy:<accountId>:<model>"` for the per-model quota.
 */
export const modelStudioQuotas = {
  /** Files API uploads (`POST /files`): 3 per second per account. */
  filesUpload: { limit: 3, intervalMs: 1000 },
  /** Files API retrieve, list and delete together: 10 per second per account. */
  files: { limit: 10, intervalMs: 1000 },
  /** DashScope temporary storage `getPolicy`: 100 per second per account and model. */
  getPolicy: { limit: 100, intervalMs: 1000 },
  /** Bailian `ApplyFileUploadLease`: 10 per second. */
  applyFileUploadLease: { limit: 10, intervalMs: 1000 },
  /** Bailian `AddFile`: 10 per second. */
  addFile: { limit: 10, intervalMs: 1000 },
  /** Bailian `DescribeFile`: 10 per second. */
  describeFile: { limit: 10, intervalMs: 1000 },
  /** Bailian `ListFile`: 5 per second. */
  listFile: { limit: 5, intervalMs: 1000 },
  /** Bailian `GetIndexJobStatus`: 20 per minute (more throttles; poll at least 5 s apart). */
  getIndexJobStatus: { limit: 20, intervalMs: 60_000 },
} as const satisfies Record<string, QuotaOptions>;

/** The name of one Model Studio quota. */
export type ModelStudioQuota = keyof typeof modelStudioQuotas;

/** Options for {@link createModelStudioLimiter}. */
export interface ModelStudioLimiterOptions {
  /**
   * Where starts are counted; pass a Redis store so every worker of one account shares the quotas. Both stores widen
   * every window by a margin (`windowMarginMs`, default {@link defaultWindowMarginMs}), so calls admitted at these
   * quotas also arrive within them at the service; pass `createMemoryStore({ windowMarginMs })` to change it.
   * @default createMemoryStore()
   */
  store?: RateLimitStore;
  /**
   * Fraction of each documented quota to use, to leave room for other clients of the same account.
   * @default 1
   */
  share?: number;
  /**
   * The clock, in milliseconds, monotonic.
   * @default () => performance.now()
   */
  clock?: () => number;
}

/**
 * Creates a limiter over the documented Model Studio quotas. It takes string keys, so a transport can consult it:
 * `"filesUpload:<accountId>"`, `"files:<accountId>"`, `"getPolicy:<accountId>:<model>"`, `"addFile:<accountId>"`.
 *
 * @throws {@link RateLimitError} `INVALID_OPTIONS` when `share` is not in (0, 1].
 * @example
 * ```ts
 * const limiter = createModelStudioLimiter({ store: createRedisStore({ client: redis }) });
 * await limiter.schedule(`getPolicy:${accountId}:qwen-vl-max`, () => getPolicy());
 * await limiter.schedule({ addFile: accountId }, () => addFile());
 * ```
 */
export function createModelStudioLimiter(
  options: ModelStudioLimiterOptions = {},
): QuotaLimiter<ModelStudioQuota> {
  const { share = 1, store, clock } = options;
  if (!(share > 0 && share <= 1))
    throw new RateLimitError(
      'INVALID_OPTIONS',
      `createModelStudioLimiter: share must be in (0, 1], got ${share}`,
    );
  const quotas = {} as Record<ModelStudioQuota, QuotaOptions>;
  for (const [name, quota] of Object.entries(modelStudioQuotas) as [ModelStudioQuota, QuotaOptions][]) {
    quotas[name] = { limit: Math.max(1, Math.floor(quota.limit * share)), intervalMs: quota.intervalMs };
  }
  return createQuotaLimiter({ quotas, ...(store && { store }), ...(clock && { clock }) });
}
