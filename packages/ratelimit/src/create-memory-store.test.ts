import { describe, expect, it } from 'vitest';
import { createMemoryStore, createShareStore } from './create-memory-store.js';
import { RateLimitError } from './rate-limit-error.js';
import type { QuotaRule, StoreRequest } from './rate-limit-store.js';
import { defaultWindowMarginMs } from './window-margin.js';

function request(rules: Record<string, QuotaRule>, now: number, cost = 1, startsLater = false): StoreRequest {
  return {
    demands: Object.entries(rules).map(([key, rule]) => ({ key, rule })),
    cost,
    id: 'id',
    now,
    startsLater,
  };
}

describe('createMemoryStore', () => {
  it('answers 0 when admitted, else the exact wait until the start that binds leaves the window', () => {
    const store = createMemoryStore({ windowMarginMs: 0 });
    const rule = { limit: 2, intervalMs: 1000, burst: 2 };
    expect(store.acquire(request({ a: rule }, 0))).toBe(0);
    expect(store.acquire(request({ a: rule }, 250))).toBe(0);
    expect(store.acquire(request({ a: rule }, 400))).toBe(600);
    expect(store.acquire(request({ a: rule }, 400, 2))).toBe(850);
    expect(store.acquire(request({ a: rule }, 1000))).toBe(0);
  });

  it('records nothing under any key when one key refuses', () => {
    const store = createMemoryStore({ windowMarginMs: 0 });
    const small = { limit: 1, intervalMs: 1000, burst: 1 };
    const large = { limit: 2, intervalMs: 1000, burst: 2 };
    expect(store.acquire(request({ small }, 0))).toBe(0);
    expect(store.acquire(request({ small, large }, 10))).toBe(990);
    expect(store.acquire(request({ large }, 20))).toBe(0);
    expect(store.acquire(request({ large }, 30))).toBe(0);
    expect(store.acquire(request({ large }, 40))).toBeGreaterThan(0);
  });

  it('re-stamps a start to the moment the call really began, only ever later', () => {
    const store = createMemoryStore({ windowMarginMs: 0 });
    const rule = { limit: 1, intervalMs: 1000, burst: 1 };
    const first = request({ a: rule }, 0);
    expect(store.acquire(first)).toBe(0);
    store.restamp!(first, 30);
    expect(store.acquire(request({ a: rule }, 1000))).toBe(30);
    store.restamp!(first, 10);
    expect(store.acquire(request({ a: rule }, 1000))).toBe(30);
  });

  it('holds a start admitted with startsLater in every window until restamp() gives it its time', () => {
    const store = createMemoryStore({ windowMarginMs: 0 });
    const rule = { limit: 2, intervalMs: 1000, burst: 2 };
    const late = request({ a: rule }, 0, 1, true);
    expect(store.acquire(late)).toBe(0);
    // Long after its admission, the held start still counts, and binds for at least a window.
    expect(store.acquire(request({ a: rule }, 5000))).toBe(0);
    expect(store.acquire(request({ a: rule }, 5000))).toBe(1000);
    store.restamp!(late, 5200);
    expect(store.acquire(request({ a: rule }, 6000))).toBe(200);
    expect(store.acquire(request({ a: rule }, 6200))).toBe(0);
  });

  it('holds starts admitted with startsLater under GCRA too, as if they started now', () => {
    const store = createMemoryStore({ windowMarginMs: 0 });
    // burst 2 of limit 3 per 300 ms: one start per 150 ms, two back to back.
    const rule = { limit: 3, intervalMs: 300, burst: 2 };
    const first = request({ a: rule }, 0, 1, true);
    const second = request({ a: rule }, 0, 1, true);
    expect(store.acquire(first)).toBe(0);
    expect(store.acquire(second)).toBe(0);
    expect(store.acquire(request({ a: rule }, 0))).toBe(150);
    // Much later, the two held starts still take the burst.
    expect(store.acquire(request({ a: rule }, 10_000))).toBe(150);
    store.restamp!(first, 10_000);
    store.restamp!(second, 10_000);
    expect(store.acquire(request({ a: rule }, 10_000))).toBe(150);
    expect(store.acquire(request({ a: rule }, 10_150))).toBe(0);
  });

  it('grows its ring with the starts in the window, not with the limit', () => {
    const store = createMemoryStore({ windowMarginMs: 0 });
    const rule = { limit: 1_000_000_000, intervalMs: 10, burst: 1_000_000_000 };
    const before = process.memoryUsage().arrayBuffers;
    for (let now = 0; now < 100_000; now++) expect(store.acquire(request({ a: rule }, now / 100))).toBe(0);
    // A preallocated ring would take 8 GB; 1000 starts in the window take a few KB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('keeps the most recent starts when the limit shrinks', () => {
    const store = createMemoryStore({ windowMarginMs: 0 });
    const rule = { limit: 4, intervalMs: 1000, burst: 4 };
    for (const now of [0, 100, 200, 300]) store.acquire(request({ a: rule }, now));
    const smaller = { limit: 2, intervalMs: 1000, burst: 2 };
    // The two binding starts are 200 and 300: the next one fits when 200 leaves the window.
    expect(store.acquire(request({ a: smaller }, 400))).toBe(800);
  });

  it('stays conservative when a key switches between the log and GCRA', () => {
    const store = createMemoryStore({ windowMarginMs: 0 });
    const log = { limit: 4, intervalMs: 1000, burst: 4 };
    const gcra = { limit: 4, intervalMs: 1000, burst: 1 };
    for (let index = 0; index < 4; index++) store.acquire(request({ a: log }, 0));
    expect(store.acquire(request({ a: gcra }, 0))).toBeGreaterThanOrEqual(1000);
  });
});

describe('createMemoryStore window margin', () => {
  it('counts every start for intervalMs + windowMarginMs, by default 100 ms (defaultWindowMarginMs)', () => {
    expect(defaultWindowMarginMs).toBe(100);
    const rule = { limit: 2, intervalMs: 1000, burst: 2 };
    const store = createMemoryStore();
    expect(store.acquire(request({ a: rule }, 0))).toBe(0);
    expect(store.acquire(request({ a: rule }, 0))).toBe(0);
    // Full: the first start leaves the widened window at 1100, not at 1000.
    expect(store.acquire(request({ a: rule }, 400))).toBe(700);
    expect(store.acquire(request({ a: rule }, 1000))).toBe(100);
    expect(store.acquire(request({ a: rule }, 1100))).toBe(0);
  });

  it('takes the margin as an option, 0 included, and applies it to GCRA and to restamped starts', () => {
    const log = { limit: 1, intervalMs: 1000, burst: 1 };
    const wide = createMemoryStore({ windowMarginMs: 250 });
    expect(wide.acquire(request({ a: log }, 0))).toBe(0);
    expect(wide.acquire(request({ a: log }, 0))).toBe(1250);
    const exact = createMemoryStore({ windowMarginMs: 0 });
    expect(exact.acquire(request({ a: log }, 0))).toBe(0);
    expect(exact.acquire(request({ a: log }, 0))).toBe(1000);
    // GCRA: limit 4, burst 2 spaces starts by (1000 + 200) / 3 = 400 ms after the burst.
    const gcra = { limit: 4, intervalMs: 1000, burst: 2 };
    const spaced = createMemoryStore({ windowMarginMs: 200 });
    expect(spaced.acquire(request({ g: gcra }, 0))).toBe(0);
    expect(spaced.acquire(request({ g: gcra }, 0))).toBe(0);
    expect(spaced.acquire(request({ g: gcra }, 0))).toBeCloseTo(400, 9);
    // A held start placed at 500 leaves the window at 500 + 1000 + 100.
    const held = createMemoryStore({ windowMarginMs: 100 });
    const first = request({ h: log }, 0, 1, true);
    expect(held.acquire(first)).toBe(0);
    held.restamp!(first, 500);
    expect(held.acquire(request({ h: log }, 600))).toBe(1000);
  });

  it('follows a rule changed in place (the limiter updates its rules so)', () => {
    const rule = { limit: 1, intervalMs: 1000, burst: 1 };
    const store = createMemoryStore({ windowMarginMs: 50 });
    expect(store.acquire(request({ a: rule }, 0))).toBe(0);
    (rule as { intervalMs: number }).intervalMs = 2000;
    expect(store.acquire(request({ a: rule }, 0))).toBe(2050);
  });

  it("applies a share of each rule, read at every call, with the margin (the Redis store's local fallback)", () => {
    const rule = { limit: 4, intervalMs: 1000, burst: 4 };
    const store = createShareStore(50, 0.5);
    // Half of 4 is 2; a cost of 3 counts as the whole shared limit, 2.
    expect(store.acquire(request({ a: rule }, 0, 3))).toBe(0);
    expect(store.acquire(request({ a: rule }, 0))).toBe(1050);
    // Changed in place: half of 8 is 4, two more fit now; the window follows too.
    Object.assign(rule, { limit: 8, burst: 8, intervalMs: 2000 });
    expect(store.acquire(request({ a: rule }, 10))).toBe(0);
    expect(store.acquire(request({ a: rule }, 10))).toBe(0);
    expect(store.acquire(request({ a: rule }, 10))).toBe(2040);
    // A share never goes below 1 start per window, and GCRA takes the shared burst: limit 1, burst 1.
    const tiny = { limit: 3, intervalMs: 1000, burst: 2 };
    expect(store.acquire(request({ t: tiny }, 0))).toBe(0);
    expect(store.acquire(request({ t: tiny }, 0))).toBe(1050);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '5'])(
    'refuses the margin %s with INVALID_OPTIONS',
    (windowMarginMs) => {
      const error = (() => {
        try {
          createMemoryStore({ windowMarginMs: windowMarginMs as number });
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).code).toBe('INVALID_OPTIONS');
    },
  );
});
