import type { CallRecord, Fault, FaultRule } from '@x/emulator';

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
 * Rules that give each request on `routes` a `rate` chance of one fault, spread evenly over `faults` (each rule
 * draws from the plan's seeded generator in turn, so the chances combine to `rate`).
 */
export function soakRules(
  routes: readonly string[],
  rate: number,
  faults: readonly Fault[] = soakFaults,
): FaultRule[] {
  const each = 1 - (1 - rate) ** (1 / faults.length);
  return routes.flatMap((route) =>
    faults.map((fault) => ({ route, fault, times: 'always' as const, probability: each })),
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
  readonly faults: number;
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
