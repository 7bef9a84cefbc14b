import type { CallRecord, Fault, FaultRule } from '@x/emulator';
import type { Limiter } from '@x/transport';

/** The fault mix of the soak: every type the emulator can inject, on every route given. */
export const soakFaults: readonly Fault[] = [
  { type: 'status', status: 429, retryAfterSeconds: 1 },
  { type: 'status', status: 429, retryAfterSeconds: 0 },
  { type: 'status', status: 503 },
  { type: 'reset', phase: 'request' },
  { type: 'reset', phase: 'response' },
  { type: 'stall', phase: 'request' },
];

/**
 * The Bailian data API's own ways to fail, on top of {@link soakFaults}: a 200 whose envelope says `Success: false`
 * (spec bailian-data-api.md §7) and a documented gateway code by name. Only for Bailian API routes: the lease's
 * PUT is an OSS route, where a 200 means stored.
 */
export const bailianFaults: readonly Fault[] = [
  ...soakFaults,
  { type: 'successFalse' },
  { type: 'successFalse', code: 'DataCenter.Throttling' },
  { type: 'error', code: 'Throttling.User', retryAfterSeconds: 0 },
  { type: 'error', code: 'ServiceUnavailable' },
];

/** A fault that makes the client pause a whole quota: a 429 with a `Retry-After` of a second or more. */
function isPausing(fault: Fault): boolean {
  if (fault.type !== 'status' && fault.type !== 'error') return false;
  return (fault.retryAfterSeconds ?? (fault.type === 'status' && fault.status === 429 ? 1 : 0)) > 0;
}

/**
 * Rules that give each request on `routes` a `rate` chance of one fault, spread over `faults` (each rule draws from
 * the plan's seeded generator in turn, so the chances combine to `rate`). A 429 with a `Retry-After` pauses its whole
 * quota for that long (the client must honour it for every caller), so it gets `pausingWeight` of the share of the
 * others: the soak stays short and it still fires.
 */
export function soakRules(
  routes: readonly string[],
  rate: number,
  faults: readonly Fault[] = soakFaults,
  pausingWeight = 0.25,
): FaultRule[] {
  const weights = faults.map((fault) => (isPausing(fault) ? pausingWeight : 1));
  const combined = (scale: number) => 1 - weights.reduce((left, weight) => left * (1 - weight * scale), 1);
  // The scale whose chances combine to `rate`, by bisection (combined() grows with the scale).
  let low = 0;
  let high = 1 / Math.max(...weights);
  for (let step = 0; step < 60; step += 1) {
    const middle = (low + high) / 2;
    if (combined(middle) < rate) low = middle;
    else high = middle;
  }
  return routes.flatMap((route) =>
    faults.map((fault, index) => ({
      route,
      fault,
      times: 'always' as const,
      probability: weights[index]! * low,
    })),
  );
}

/** The most calls in any window [t, t + windowMs) anchored at a call. */
export function maxInWindow(calls: readonly CallRecord[], windowMs: number): number {
  const times = calls.map((call) => call.startedAtMs).sort((a, b) => a - b);
  let max = 0;
  let first = 0;
  for (let index = 0; index < times.length; index += 1) {
    while (times[index]! - times[first]! >= windowMs) first += 1;
    max = Math.max(max, index - first + 1);
  }
  return max;
}

/** The line the suite prints for each flow. */
export interface SoakSummary {
  readonly flow: string;
  readonly files: number;
  readonly done: number;
  readonly failed: number;
  /** Requests the emulator answered with an injected fault. */
  readonly faults: number;
  /** Requests sent again after a failure (the transport's retries, and a flow's own restarts). */
  readonly retries: number;
  readonly duplicates: number;
  readonly lost: number;
}

export function summaryLine(summary: SoakSummary): string {
  const { flow, ...figures } = summary;
  return `fault soak ${flow}: ${Object.entries(figures)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')}`;
}

/**
 * A limiter in front of `limiter` that notes when each start was granted, by quota (the part of the key before the
 * first `:`), so a test can check the windows the limiter promised.
 */
export function recordingLimiter(limiter: Limiter): { limiter: Limiter; grants: Map<string, number[]> } {
  const grants = new Map<string, number[]>();
  return {
    grants,
    limiter: {
      async acquire(key, options) {
        const release = await limiter.acquire(key, options);
        const quota = key.split(':')[0]!;
        grants.set(quota, [...(grants.get(quota) ?? []), performance.now()]);
        return release;
      },
      penalize: (key, retryAfterMs) => limiter.penalize?.(key, retryAfterMs),
    },
  };
}

/** The most grants in any window [t, t + windowMs) anchored at a grant. */
export function maxGrantsInWindow(times: readonly number[], windowMs: number): number {
  return maxInWindow(
    times.map((startedAtMs) => ({ startedAtMs }) as CallRecord),
    windowMs,
  );
}
