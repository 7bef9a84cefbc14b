import { RateLimitError } from './rate-limit-error.js';

/**
 * The safety margin both stores add to every window by default, in milliseconds: a start counts for
 * `intervalMs + 100` after its dispatch.
 *
 * Why: a quota is enforced by the service on arrivals, the limiter sees dispatches. A first burst opens new
 * connections (TCP, and TLS on the real service) and arrives spread over that setup; the next burst, on warm
 * connections, arrives almost at once, about one window after its dispatch. Measured against the emulator on
 * loopback, 10 Files calls spread over ~11 ms and the next 10 landed 997-1001 ms after them: 9 of 40 calls at
 * `modelStudioQuotas.files` drew 429. The spec's own advice (ratelimit-and-uploads §6, "Timing": a margin on the
 * window "to absorb the gap between dispatch and server arrival", 5 ms measured with tasks that open no connection)
 * holds for warm connections only. 100 ms covers a cold burst on a loaded machine, or a TCP and TLS setup of about
 * two round trips on a regional link, for 10% of a one-second window's rate and 0.17% of a one-minute one.
 */
export const defaultWindowMarginMs = 100;

/** @throws {@link RateLimitError} `INVALID_OPTIONS` when the margin is not a finite number >= 0. @internal */
export function checkWindowMargin(windowMarginMs: unknown, name: string): asserts windowMarginMs is number {
  if (typeof windowMarginMs !== 'number' || !Number.isFinite(windowMarginMs) || windowMarginMs < 0) {
    throw new RateLimitError(
      'INVALID_OPTIONS',
      `${name}: windowMarginMs must be a finite number of milliseconds >= 0, got ${String(windowMarginMs)}`,
    );
  }
}
