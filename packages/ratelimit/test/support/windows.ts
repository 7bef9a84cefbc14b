/**
 * The most starts (weighted by cost) in any half-open window [t, t + windowMs), anchored at every start.
 * Two pointers over the sorted times.
 */
export function maxInWindow(times: readonly number[], windowMs: number, costs?: readonly number[]): number {
  const order = times.map((time, index) => [time, costs?.[index] ?? 1] as const).sort((a, b) => a[0] - b[0]);
  let max = 0;
  let sum = 0;
  let first = 0;
  for (const [time, cost] of order) {
    sum += cost;
    while (time - order[first]![0] >= windowMs) sum -= order[first++]![1];
    if (sum > max) max = sum;
  }
  return max;
}

/** A small seeded PRNG (mulberry32), so random schedules are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
