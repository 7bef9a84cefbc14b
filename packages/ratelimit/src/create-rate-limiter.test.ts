import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maxInWindow, seededRandom } from '../test/support/windows.js';
import { createMemoryStore } from './create-memory-store.js';
import { createRateLimiter, type RateLimiterOptions } from './create-rate-limiter.js';
import { RateLimitError } from './rate-limit-error.js';
import type { RateLimitStore } from './rate-limit-store.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** The algorithm alone, measured at dispatch: no window margin (the margin has its own tests). */
const exactStore = () => createMemoryStore({ windowMarginMs: 0 });

/** A limiter on the fake clock, and the fake time at which each scheduled call started. */
function setup(options: Omit<RateLimiterOptions, 'clock'>) {
  const limiter = createRateLimiter({ store: exactStore(), ...options, clock: () => Date.now() });
  const starts: number[] = [];
  const labels: string[] = [];
  const run = (key: string, label = key, extra: { signal?: AbortSignal; cost?: number } = {}) =>
    limiter.schedule(
      key,
      () => {
        starts.push(Date.now());
        labels.push(label);
        return label;
      },
      extra,
    );
  return { limiter, starts, labels, run };
}

describe('createRateLimiter', () => {
  it('lets the whole limit start at once, then one call per start that leaves the window, never earlier', async () => {
    const { starts, run } = setup({ limit: 3, intervalMs: 1000 });
    const done = Promise.all(Array.from({ length: 5 }, () => run('a')));
    expect(starts).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(999);
    expect(starts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 0, 0, 1000, 1000]);
    await done;
  });

  it('holds the limit across a window boundary (1 at 0, R-1 just before W, R just after)', async () => {
    const { starts, run } = setup({ limit: 10, intervalMs: 1000 });
    const calls = [run('a')];
    await vi.advanceTimersByTimeAsync(950);
    for (let index = 0; index < 9; index++) calls.push(run('a'));
    await vi.advanceTimersByTimeAsync(60);
    for (let index = 0; index < 10; index++) calls.push(run('a'));
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(calls);
    // A fixed window would let 19 through between 950 and 1010; the sliding log lets only the one freed slot in.
    expect(starts).toEqual([0, ...Array(9).fill(950), 1010, ...Array(9).fill(1950)]);
    expect(maxInWindow(starts, 1000)).toBe(10);
  });

  it('never exceeds the limit in any sliding window under random arrivals and costs', async () => {
    const random = seededRandom(42);
    const limiter = createRateLimiter({
      store: exactStore(),
      limit: 20,
      intervalMs: 500,
      clock: () => Date.now(),
    });
    const starts: number[] = [];
    const costs: number[] = [];
    const calls: Promise<unknown>[] = [];
    for (let step = 0; step < 400; step++) {
      for (let count = Math.floor(random() * 8); count > 0; count--) {
        const cost = 1 + Math.floor(random() * 3);
        calls.push(
          limiter.schedule(
            'a',
            () => {
              starts.push(Date.now());
              costs.push(cost);
            },
            { cost },
          ),
        );
      }
      await vi.advanceTimersByTimeAsync(Math.floor(random() * 20));
    }
    await vi.advanceTimersByTimeAsync(120_000);
    await Promise.all(calls);
    expect(starts).toHaveLength(calls.length);
    expect(maxInWindow(starts, 500, costs)).toBe(20);
  });

  it('counts a start from when the scheduled function ran, even when admission and start are apart', async () => {
    const { limiter } = setup({ limit: 1, intervalMs: 1000 });
    // The clock moves on between the admission and the start (as in a garbage collection pause).
    await limiter.schedule('a', () => vi.setSystemTime(Date.now() + 30));
    let second = -1;
    const next = limiter.schedule('a', () => (second = Date.now()));
    await vi.advanceTimersByTimeAsync(999);
    expect(second).toBe(-1);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(second).toBe(1030);
  });

  it('starts the waiters of one key in FIFO order', async () => {
    const { labels, run } = setup({ limit: 1, intervalMs: 100 });
    const calls = Array.from({ length: 6 }, (_, index) => run('a', `call-${index}`));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(calls);
    expect(labels).toEqual(['call-0', 'call-1', 'call-2', 'call-3', 'call-4', 'call-5']);
  });

  it('keeps keys independent', async () => {
    const { starts, labels, run } = setup({ limit: 1, intervalMs: 1000 });
    const calls = [run('a'), run('b'), run('a'), run('c')];
    expect(labels).toEqual(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(calls);
    expect(starts).toEqual([0, 0, 0, 1000]);
  });

  it('rejects an aborted waiter with the signal reason, counts nothing for it, and passes its turn on', async () => {
    const { starts, labels, run } = setup({ limit: 2, intervalMs: 1000 });
    await Promise.all([run('a', 'first'), run('a', 'second')]);
    const controller = new AbortController();
    const aborted = run('a', 'aborted', { signal: controller.signal });
    const next = run('a', 'next');
    const reason = new Error('user cancelled');
    await vi.advanceTimersByTimeAsync(500);
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    const last = run('a', 'last');
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all([next, last]);
    // Both freed slots go to the calls still waiting: the aborted one took none.
    expect(labels).toEqual(['first', 'second', 'next', 'last']);
    expect(starts).toEqual([0, 0, 1000, 1000]);
  });

  it('rejects at once when the signal is already aborted, without counting a start', async () => {
    const { starts, run } = setup({ limit: 1, intervalMs: 1000 });
    const reason = new DOMException('stop', 'AbortError');
    await expect(run('a', 'a', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await run('a');
    expect(starts).toEqual([0]);
  });

  it('pauses every caller of a penalized key until Retry-After, and only that key', async () => {
    const { limiter, starts, labels, run } = setup({ limit: 10, intervalMs: 1000 });
    limiter.penalize('a', 300);
    limiter.penalize('a', 100); // a shorter penalty does not shorten the pause
    const calls = [run('a', 'a1'), run('b', 'b1'), run('a', 'a2')];
    expect(labels).toEqual(['b1']);
    await vi.advanceTimersByTimeAsync(299);
    expect(labels).toEqual(['b1']);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(calls);
    expect(labels).toEqual(['b1', 'a1', 'a2']);
    expect(starts).toEqual([0, 300, 300]);
  });

  it('counts a call with cost n as n starts, and refuses a cost that could never fit', async () => {
    const { limiter, starts, run } = setup({ limit: 5, intervalMs: 1000 });
    const calls = [run('a', 'a', { cost: 3 }), run('a', 'a', { cost: 3 }), run('a', 'a', { cost: 2 })];
    expect(starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(calls);
    expect(starts).toEqual([0, 1000, 1000]);
    await expect(limiter.acquire('a', { cost: 6 })).rejects.toThrow(RateLimitError);
    await expect(limiter.acquire('a', { cost: 0 })).rejects.toThrow(RateLimitError);
    await expect(limiter.acquire('a', { cost: 1.5 })).rejects.toThrow(RateLimitError);
  });

  it('applies update() at once to waiting calls, up and down', async () => {
    const { limiter, starts, run } = setup({ limit: 2, intervalMs: 1000 });
    const first = Array.from({ length: 5 }, () => run('a'));
    expect(starts).toHaveLength(2);
    limiter.update({ limit: 4 });
    expect(starts).toEqual([0, 0, 0, 0]);
    limiter.update({ limit: 1, intervalMs: 500 });
    // Four starts at 0 are still in the new window; with limit 1 the next one goes when all have left it.
    await vi.advanceTimersByTimeAsync(499);
    expect(starts).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(first);
    expect(starts).toEqual([0, 0, 0, 0, 500]);
    expect(() => limiter.update({ limit: 0 })).toThrow(RateLimitError);
  });

  it('fails a waiter whose cost no longer fits after update() lowers the limit', async () => {
    const { limiter, run } = setup({ limit: 4, intervalMs: 1000 });
    await run('a', 'a', { cost: 4 });
    const waiting = run('a', 'a', { cost: 3 });
    limiter.update({ limit: 2 });
    await expect(waiting).rejects.toThrow(RateLimitError);
  });

  it('counts a schedule()d call until it settles: the server saw it arrive before it answered', async () => {
    const starts: number[] = [];
    const limiter = createRateLimiter({
      store: exactStore(),
      limit: 1,
      intervalMs: 1000,
      clock: () => Date.now(),
    });
    const call = () =>
      limiter.schedule('a', () => {
        starts.push(Date.now());
        // The answer comes 300 ms after dispatch; the server counted the call somewhere in between.
        return new Promise((resolve) => setTimeout(resolve, 300));
      });
    const calls = [call(), call(), call()];
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(calls);
    // Each start counts from its dispatch until its answer, then for a window: the next one goes 1300 ms later.
    expect(starts).toEqual([0, 1300, 2600]);
    // A function that settles at once counts from its dispatch, as before.
    const quick = createRateLimiter({
      store: exactStore(),
      limit: 1,
      intervalMs: 1000,
      clock: () => Date.now(),
    });
    const quickStarts: number[] = [];
    const quickCalls = [1, 2].map(() => quick.schedule('a', () => quickStarts.push(Date.now())));
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(quickCalls);
    expect(quickStarts).toEqual([5000, 6000]);
  });

  it('caps the calls in flight per key with concurrency, and releases a slot when the call settles', async () => {
    const limiter = createRateLimiter({
      store: exactStore(),
      limit: 100,
      intervalMs: 1000,
      concurrency: 2,
      clock: () => Date.now(),
    });
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 50));
      running--;
    };
    const calls = Array.from({ length: 6 }, () => limiter.schedule('a', task));
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(calls);
    expect(peak).toBe(2);

    const release = await limiter.acquire('b');
    await limiter.acquire('b');
    let third = false;
    const pending = limiter.acquire('b').then(() => (third = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(third).toBe(false);
    release();
    release(); // a second call releases nothing more
    await pending;
    expect(third).toBe(true);
  });

  it('releases the concurrency slot when the scheduled function throws, and rejects with its error', async () => {
    const limiter = createRateLimiter({
      store: exactStore(),
      limit: 10,
      intervalMs: 1000,
      concurrency: 1,
      clock: () => Date.now(),
    });
    const failure = new Error('boom');
    await expect(
      limiter.schedule('a', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(limiter.schedule('a', () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(limiter.schedule('a', () => 'ok')).resolves.toBe('ok');
  });

  it('spaces calls evenly with burst < limit (GCRA) and still holds the limit in every window', async () => {
    const { starts, run } = setup({ limit: 10, intervalMs: 1000, burst: 2 });
    const calls = Array.from({ length: 30 }, () => run('a'));
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(calls);
    expect(starts.slice(0, 3)).toEqual([0, 0, 112]);
    expect(maxInWindow(starts, 1000)).toBe(10);
    // Steady state: limit - burst + 1 = 9 per window.
    expect(maxInWindow(starts.slice(2), 1000)).toBe(9);
  });

  it('leaves no timer behind once nothing waits, and close() rejects waiters with LIMITER_CLOSED', async () => {
    const { limiter, run } = setup({ limit: 1, intervalMs: 1000 });
    await run('a');
    expect(vi.getTimerCount()).toBe(0);
    const waiting = run('a');
    expect(vi.getTimerCount()).toBe(1);
    await limiter.close();
    await expect(waiting).rejects.toSatisfy(
      (error) => RateLimitError.isInstance(error) && error.code === 'LIMITER_CLOSED',
    );
    expect(vi.getTimerCount()).toBe(0);
    await expect(limiter.acquire('a')).rejects.toThrow(RateLimitError);
    await limiter.close(); // a second close() settles too
  });

  it('validates its options', () => {
    expect(() => createRateLimiter({ limit: 0, intervalMs: 1000 })).toThrow(RateLimitError);
    expect(() => createRateLimiter({ limit: 1.5, intervalMs: 1000 })).toThrow(RateLimitError);
    expect(() => createRateLimiter({ limit: 1, intervalMs: 0 })).toThrow(RateLimitError);
    expect(() => createRateLimiter({ limit: 1, intervalMs: 1000, burst: 0 })).toThrow(RateLimitError);
    expect(() => createRateLimiter({ limit: 1, intervalMs: 1000, concurrency: 0 })).toThrow(RateLimitError);
  });
});

describe('createRateLimiter acquire() re-stamping', () => {
  it("gives an acquire() start its time after the caller's continuation has run, once per burst", async () => {
    // A clock that moves on every reading orders the readings: the re-stamp must read it after the caller did.
    let ticks = 0;
    const clock = () => ++ticks;
    const store = exactStore();
    const restamps: { now: number; count: number }[] = [];
    const observed: RateLimitStore = {
      acquire: (request) => store.acquire(request),
      restamp(request, now) {
        const last = restamps.at(-1);
        if (last?.now === now) last.count++;
        else restamps.push({ now, count: 1 });
        store.restamp!(request, now);
      },
    };
    const limiter = createRateLimiter({ limit: 10, intervalMs: 1000, store: observed, clock });
    const startedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        await limiter.acquire('a');
        startedAt.push(clock());
      }),
    );
    await limiter.acquire('a');
    startedAt.push(clock());
    await Promise.resolve();
    await Promise.resolve();
    // The burst of three is re-stamped together, after all three callers started; the fourth after its own.
    expect(restamps).toHaveLength(2);
    expect(restamps[0]!.count).toBe(3);
    expect(restamps[0]!.now).toBeGreaterThan(Math.max(...startedAt.slice(0, 3)));
    expect(restamps[1]!.count).toBe(1);
    expect(restamps[1]!.now).toBeGreaterThan(startedAt[3]!);
  });
});

describe('createRateLimiter window margin', () => {
  /** A limiter on the fake clock with the default store (window margin 100 ms). */
  function marginSetup(options: Omit<RateLimiterOptions, 'clock' | 'store'>) {
    const limiter = createRateLimiter({ ...options, clock: () => Date.now() });
    const starts: number[] = [];
    const schedule = (key: string) => limiter.schedule(key, () => starts.push(Date.now()));
    const acquire = async (key: string) => {
      await limiter.acquire(key);
      starts.push(Date.now());
    };
    return { limiter, starts, schedule, acquire };
  }

  it('widens the window that update() sets, for schedule() and acquire() alike', async () => {
    for (const kind of ['schedule', 'acquire'] as const) {
      vi.setSystemTime(0);
      const setup = marginSetup({ limit: 2, intervalMs: 1000 });
      const call = setup[kind];
      const calls = [call('a'), call('a'), call('a')];
      await vi.advanceTimersByTimeAsync(0);
      expect(setup.starts).toEqual([0, 0]);
      // The window shrinks after the rule was first used: the margin still applies to the new one.
      setup.limiter.update({ intervalMs: 500 });
      await vi.advanceTimersByTimeAsync(599);
      expect(setup.starts).toEqual([0, 0]);
      await vi.advanceTimersByTimeAsync(1);
      await Promise.all(calls);
      expect(setup.starts).toEqual([0, 0, 600]);
      // It grows: starts count for 2000 + 100 ms, so the one at 600 binds until 2700.
      setup.limiter.update({ intervalMs: 2000 });
      const later = [call('a'), call('a')];
      await vi.advanceTimersByTimeAsync(0);
      expect(setup.starts).toEqual([0, 0, 600, 600]);
      await vi.advanceTimersByTimeAsync(2099);
      expect(setup.starts).toEqual([0, 0, 600, 600]);
      await vi.advanceTimersByTimeAsync(1);
      await Promise.all(later);
      expect(setup.starts).toEqual([0, 0, 600, 600, 2700]);
      await setup.limiter.close();
    }
  });

  it('spaces GCRA starts by the widened window after update()', async () => {
    const { limiter, starts, schedule } = marginSetup({ limit: 4, burst: 2, intervalMs: 1000 });
    limiter.update({ intervalMs: 500 });
    // Burst 2, then one start per (500 + 100) / (4 - 2 + 1) = 200 ms.
    const calls = Array.from({ length: 4 }, () => schedule('g'));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(calls);
    expect(starts).toEqual([0, 0, 200, 400]);
  });
});

describe('createRateLimiter on the real clock', () => {
  it('holds the limit on performance.now() and real timers, and leaves no timer behind', async () => {
    vi.useRealTimers();
    // Starts are the clock reading the limiter admitted them at (the function runs in that same tick).
    let admittedAt = 0;
    const limiter = createRateLimiter({
      store: exactStore(),
      limit: 20,
      intervalMs: 200,
      clock: () => (admittedAt = performance.now()),
    });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 60 }, () => limiter.schedule('a', () => starts.push(admittedAt))));
    expect(maxInWindow(starts, 200)).toBe(20);
    expect(starts[59]! - starts[0]!).toBeGreaterThanOrEqual(400);
    expect(process.getActiveResourcesInfo()).not.toContain('Timeout');
  });

  it('holds the limit at the real starts of acquire() callers, even when they start well after admission', async () => {
    vi.useRealTimers();
    const limiter = createRateLimiter({ store: exactStore(), limit: 20, intervalMs: 300 });
    const starts: number[] = [];
    const calls: Promise<unknown>[] = [];
    for (let index = 0; index < 60; index++) {
      calls.push(limiter.acquire('a').then(() => starts.push(performance.now())));
      // A slow submitter: the first callers only start once this loop is done. Halfway, it stalls for longer than
      // the window (a descheduled process, a long garbage collection), so the admitted callers have still not
      // started when their admissions are a whole window old: they must still count, or the calls submitted after
      // the stall would be admitted beside them.
      const until = performance.now() + (index === 30 ? 400 : 0.5);
      while (performance.now() < until) {}
    }
    await Promise.all(calls);
    expect(maxInWindow(starts, 300)).toBe(20);
  });

  it('holds the starts of acquire() callers under GCRA too, when they start a window after admission', async () => {
    vi.useRealTimers();
    const limiter = createRateLimiter({ store: exactStore(), limit: 10, intervalMs: 300, burst: 5 });
    const starts: number[] = [];
    const calls: Promise<unknown>[] = [];
    for (let index = 0; index < 20; index++) {
      calls.push(limiter.acquire('a').then(() => starts.push(performance.now())));
      const until = performance.now() + (index === 2 ? 400 : 0);
      while (performance.now() < until) {}
    }
    await Promise.all(calls);
    expect(maxInWindow(starts, 300)).toBeLessThanOrEqual(10);
    // The first five start together after the stall; nothing else may start with them beyond the burst.
    expect(maxInWindow(starts, 1)).toBeLessThanOrEqual(5);
  });
});
