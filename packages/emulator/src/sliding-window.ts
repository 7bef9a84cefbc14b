import type { EmulatorClock } from './surface.js';

/** How one quota key has been used, as the web console's gauges show it. */
export interface QuotaUsage {
  /** Quota key: the quota's name, then the account (and model), e.g. `dashscope.getPolicy:default:qwen-vl-plus`. */
  readonly key: string;
  /** Calls allowed per window. */
  readonly limit: number;
  /** Window length in milliseconds of emulated time. */
  readonly intervalMs: number;
  /** Calls counted in the window ending now. */
  readonly current: number;
  /** Most calls ever counted in one window: how close the client came to the limit. */
  readonly peak: number;
  /** Calls refused for being over the limit. */
  readonly rejected: number;
}

/** Per-key sliding-window quotas on the emulated clock (the `withinQuota` of a surface context). */
export interface SlidingWindow {
  /** Counts one call against `limit` calls per `intervalMs` for `key`; false (and not counted) when over. */
  withinQuota(key: string, limit: number, intervalMs: number): boolean;
  /** Every key used so far, with its limit, its current and peak counts and its refusals. */
  usage(): QuotaUsage[];
  /** Forgets every recorded call. */
  clear(): void;
}

/**
 * Creates sliding-window quotas: a call is allowed when fewer than `limit` allowed calls for the same key happened
 * in the last `intervalMs` of emulated time. Rejected calls are not counted, as with the service's own limiter.
 *
 * @example
 * ```ts
 * const window = createSlidingWindow(clock);
 * window.withinQuota('default:qwen-vl-plus', 100, 1000); // true for the first 100 calls in a second
 * ```
 */
export function createSlidingWindow(clock: EmulatorClock): SlidingWindow {
  const calls = new Map<string, number[]>();
  const stats = new Map<string, { limit: number; intervalMs: number; peak: number; rejected: number }>();
  const inWindow = (times: readonly number[], now: number, intervalMs: number) =>
    times.filter((time) => time > now - intervalMs && time <= now);
  return {
    withinQuota(key, limit, intervalMs) {
      const now = clock.now();
      const times = inWindow(calls.get(key) ?? [], now, intervalMs);
      const isWithin = times.length < limit;
      if (isWithin) times.push(now);
      calls.set(key, times);
      const stat = stats.get(key) ?? { limit, intervalMs, peak: 0, rejected: 0 };
      stat.limit = limit;
      stat.intervalMs = intervalMs;
      stat.peak = Math.max(stat.peak, times.length);
      if (!isWithin) stat.rejected += 1;
      stats.set(key, stat);
      return isWithin;
    },
    usage() {
      const now = clock.now();
      return [...stats].map(([key, stat]) => ({
        key,
        ...stat,
        current: inWindow(calls.get(key) ?? [], now, stat.intervalMs).length,
      }));
    },
    clear() {
      calls.clear();
      stats.clear();
    },
  };
}
