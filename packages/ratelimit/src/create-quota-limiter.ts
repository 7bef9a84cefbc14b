import { type Demand, LimiterEngine, type Quota, type Release } from './limiter-engine.js';
import {
  type AcquireOptions,
  type QuotaOptions,
  type QuotaUpdate,
  toQuota,
  updateQuota,
} from './quota-options.js';
import { RateLimitError } from './rate-limit-error.js';
import type { RateLimitStore } from './rate-limit-store.js';

/**
 * Which quotas one call counts against, and under which key for each: `{ uploads: accountId, calls: accountId }`.
 * The call starts only when every named quota allows it, and is counted under all of them at once.
 */
export type QuotaSelection<Name extends string> = { readonly [quota in Name]?: string };

/** Options for {@link createQuotaLimiter}. */
export interface QuotaLimiterOptions<Name extends string> {
  /** The named quotas, for example `{ uploads: { limit: 3, intervalMs: 1000 }, calls: { limit: 10, intervalMs: 1000 } }`. */
  quotas: { readonly [quota in Name]: QuotaOptions };
  /**
   * Maps a plain string key (as the `Limiter` interface of a transport passes it) to a selection.
   * @default the key `"<quota>:<key>"` selects one quota: `"uploads:account-1"` is `{ uploads: 'account-1' }`
   */
  route?: (key: string) => QuotaSelection<Name>;
  /**
   * Where starts are counted. Each quota's keys are stored as `"<quota>:<key>"`.
   * @default createMemoryStore()
   */
  store?: RateLimitStore;
  /**
   * The clock, in milliseconds, monotonic.
   * @default () => performance.now()
   */
  clock?: () => number;
}

/**
 * A limiter over several named quotas. One call may name several of them, and is admitted atomically: either
 * every quota allows it and all of them count it, or none is consumed and it waits. Waiters are FIFO per quota key.
 * Every method also takes a plain string key, mapped through `route`.
 */
export interface QuotaLimiter<Name extends string> {
  /**
   * Resolves when a call counted against `selection` may start; start it right away. Resolves with a function that
   * releases the call's concurrency slots (a no-op when no selected quota has `concurrency`).
   *
   * @throws `signal.reason` when aborted while waiting; nothing is counted under any quota.
   * @throws {@link RateLimitError} `LIMITER_CLOSED` after {@link QuotaLimiter.close}.
   * @throws {@link RateLimitStoreError} when a shared store fails closed.
   * @throws {@link RateLimitError} `UNKNOWN_QUOTA` for a selection or string key naming no known quota;
   * `INVALID_OPTIONS` for an empty selection or a bad `cost`.
   */
  acquire(selection: QuotaSelection<Name> | string, options?: AcquireOptions): Promise<() => void>;
  /**
   * Runs `fn` as soon as every selected quota allows it, synchronously at admission, and resolves with its result.
   *
   * @throws what `fn` throws, and what {@link QuotaLimiter.acquire} throws.
   */
  schedule<T>(
    selection: QuotaSelection<Name> | string,
    fn: () => T | PromiseLike<T>,
    options?: AcquireOptions,
  ): Promise<Awaited<T>>;
  /**
   * Pauses every caller of the selected quota keys for `retryAfterMs` (a 429's `Retry-After`).
   *
   * @throws {@link RateLimitError} `UNKNOWN_QUOTA` for an unknown quota; `INVALID_OPTIONS` for an empty selection.
   */
  penalize(selection: QuotaSelection<Name> | string, retryAfterMs: number): void;
  /**
   * Changes one quota's limits at run time; waiters are re-checked at once.
   *
   * @throws {@link RateLimitError} `UNKNOWN_QUOTA` for an unknown quota; `INVALID_OPTIONS` on an invalid limit or window.
   */
  update(quota: Name, update: QuotaUpdate): void;
  /** Rejects every waiter with `LIMITER_CLOSED`, stops the timer and waits for store calls in flight. */
  close(): Promise<void>;
}

/**
 * Creates a limiter over named quotas, for services whose limits overlap: "3 uploads/s" beside "10 other calls/s",
 * or "per account" beside "per account and model". A call names the quotas it counts against; it is admitted under
 * all of them atomically, or waits without consuming any.
 *
 * @throws {@link RateLimitError} `INVALID_OPTIONS` on invalid quota options.
 * @example
 * ```ts
 * const limiter = createQuotaLimiter({
 *   quotas: { perAccount: { limit: 50, intervalMs: 1000 }, perModel: { limit: 10, intervalMs: 1000 } },
 * });
 * await limiter.schedule({ perAccount: account, perModel: `${account}:${model}` }, () => callModel());
 * ```
 */
export function createQuotaLimiter<Name extends string>(
  options: QuotaLimiterOptions<Name>,
): QuotaLimiter<Name> {
  const quotas = new Map<string, Quota>();
  for (const [name, quotaOptions] of Object.entries<QuotaOptions>(options.quotas)) {
    if (name.includes(':'))
      throw new RateLimitError(
        'INVALID_OPTIONS',
        `createQuotaLimiter: quota names cannot contain ':', got "${name}"`,
      );
    quotas.set(name, toQuota(quotaOptions, `quota "${name}"`));
  }
  if (quotas.size === 0)
    throw new RateLimitError('INVALID_OPTIONS', 'createQuotaLimiter: at least one quota is required');
  const route = options.route ?? defaultRoute;
  const engine = new LimiterEngine(options.store, options.clock);

  function demandsOf(selection: QuotaSelection<Name> | string): Demand[] {
    const resolved = typeof selection === 'string' ? route(selection) : selection;
    const demands: Demand[] = [];
    for (const name in resolved) {
      const key = resolved[name];
      if (key === undefined) continue;
      const rule = quotas.get(name);
      if (rule === undefined) {
        const known = [...quotas.keys()].join(', ');
        const where = typeof selection === 'string' ? ` in the key "${selection}"` : '';
        throw new RateLimitError(
          'UNKNOWN_QUOTA',
          `Unknown quota "${name}"${where} (known: ${known}; a string key reads "<quota>:<key>")`,
        );
      }
      demands.push({ key: `${name}:${key}`, rule });
    }
    if (demands.length === 0) throw new RateLimitError('INVALID_OPTIONS', 'The selection names no quota');
    return demands;
  }

  return {
    acquire(selection, acquireOptions = {}): Promise<Release> {
      let demands: Demand[];
      try {
        demands = demandsOf(selection);
      } catch (error) {
        return Promise.reject(error);
      }
      return engine.acquire(demands, acquireOptions.cost ?? 1, acquireOptions.signal);
    },
    schedule(selection, fn, scheduleOptions = {}) {
      let demands: Demand[];
      try {
        demands = demandsOf(selection);
      } catch (error) {
        return Promise.reject(error);
      }
      return engine.schedule(demands, scheduleOptions.cost ?? 1, scheduleOptions.signal, fn);
    },
    penalize(selection, retryAfterMs): void {
      engine.penalize(
        demandsOf(selection).map((demand) => demand.key),
        retryAfterMs,
      );
    },
    update(name, update): void {
      const quota = quotas.get(name);
      if (quota === undefined) throw new RateLimitError('UNKNOWN_QUOTA', `Unknown quota "${name}"`);
      updateQuota(quota, update, `quota "${name}"`);
      engine.changed();
    },
    close(): Promise<void> {
      return engine.close();
    },
  };
}

/** `"uploads:account-1"` selects the quota `uploads` under the key `account-1`. */
function defaultRoute<Name extends string>(key: string): QuotaSelection<Name> {
  const separator = key.indexOf(':');
  if (separator <= 0)
    throw new RateLimitError('UNKNOWN_QUOTA', `Expected a key of the form "<quota>:<key>", got "${key}"`);
  return { [key.slice(0, separator)]: key.slice(separator + 1) } as QuotaSelection<Name>;
}
