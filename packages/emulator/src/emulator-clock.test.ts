import { describe, expect, it } from 'vitest';
import { createEmulatorClock } from './emulator-clock.js';
import { createSlidingWindow } from './sliding-window.js';

describe('createEmulatorClock', () => {
  it('moves a frozen clock only through advance and set', () => {
    const clock = createEmulatorClock({ startMs: 1_000, isFrozen: true });
    expect(clock.now()).toBe(1_000);
    clock.advance(48 * 3600_000);
    expect(clock.now()).toBe(1_000 + 48 * 3600_000);
    clock.set(5);
    expect(clock.now()).toBe(5);
  });

  it('follows real time from an offset', () => {
    const clock = createEmulatorClock({ startMs: Date.parse('2030-01-01T00:00:00Z') });
    const before = clock.now();
    clock.advance(60_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(60_000);
    expect(clock.now()).toBeGreaterThan(Date.parse('2030-01-01T00:00:00Z'));
  });

  it('refuses non-finite values', () => {
    expect(() => createEmulatorClock({ startMs: Number.NaN })).toThrow(RangeError);
    expect(() => createEmulatorClock().advance(Number.POSITIVE_INFINITY)).toThrow(
      'ms must be a finite number',
    );
  });
});

describe('createSlidingWindow', () => {
  it('allows limit calls per interval, does not count refusals, and slides', () => {
    const clock = createEmulatorClock({ startMs: 0, isFrozen: true });
    const window = createSlidingWindow(clock);
    const burst = () => Array.from({ length: 4 }, () => window.withinQuota('k', 3, 1000));
    expect(burst()).toEqual([true, true, true, false]);
    clock.advance(999);
    expect(window.withinQuota('k', 3, 1000)).toBe(false);
    expect(window.withinQuota('other', 3, 1000)).toBe(true);
    clock.advance(1);
    expect(burst()).toEqual([true, true, true, false]);
    window.clear();
    expect(window.withinQuota('k', 3, 1000)).toBe(true);
  });
});
