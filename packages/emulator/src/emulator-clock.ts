import type { EmulatorClock } from './surface.js';

/** Options of {@link createEmulatorClock}. */
export interface EmulatorClockOptions {
  /**
   * Emulated time at creation, in milliseconds since the epoch.
   * @default Date.now()
   */
  readonly startMs?: number;
  /**
   * When true, emulated time only moves through `advance` and `set`; otherwise it follows the real clock from the
   * offset it was given.
   * @default false
   */
  readonly isFrozen?: boolean;
}

/**
 * Creates the emulator's clock: real time plus an offset, or a frozen instant, moved by `advance` and `set`.
 * Policies, leases, 48 h objects and quotas all read this clock, so tests expire them without waiting.
 *
 * @example
 * ```ts
 * const clock = createEmulatorClock({ startMs: Date.parse('2026-01-01T00:00:00Z'), isFrozen: true });
 * clock.advance(48 * 3600_000);
 * new Date(clock.now()).toISOString(); // '2026-01-03T00:00:00.000Z'
 * ```
 * @throws {RangeError} When `startMs`, or a value given to `advance` or `set`, is not a finite number.
 */
export function createEmulatorClock(options: EmulatorClockOptions = {}): EmulatorClock {
  const startMs = finite(options.startMs ?? Date.now(), 'startMs');
  const isFrozen = options.isFrozen ?? false;
  let offsetMs = isFrozen ? startMs : startMs - Date.now();
  const base = () => (isFrozen ? 0 : Date.now());
  return {
    now: () => base() + offsetMs,
    advance(ms) {
      offsetMs += finite(ms, 'ms');
    },
    set(epochMs) {
      offsetMs = finite(epochMs, 'epochMs') - base();
    },
  };
}

function finite(value: number, name: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of milliseconds`);
  return value;
}
