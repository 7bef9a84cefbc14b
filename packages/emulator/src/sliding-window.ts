import type { EmulatorClock } from './surface.js';

/** Per-key sliding-window quotas on the emulated clock (the `withinQuota` of a surface context). */
export interface SlidingWindow {
  /** Counts one call against `limit` calls per `intervalMs` for `key`; false (and not counted) when over. */
  withinQuota(key: string, limit: number, intervalMs: number): boolean;
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
  return {
    withinQuota(key, limit, intervalMs) {
      const now = clock.now();
      const times = (calls.get(key) ?? []).filter((time) => time > now - intervalMs && time <= now);
      const isWithin = times.length < limit;
      if (isWithin) times.push(now);
      calls.set(key, times);
      return isWithin;
    },
    clear() {
      calls.clear();
    },
  };
}
