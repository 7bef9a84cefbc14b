import { TimeoutError } from './timeout-error.js';
import { TransportError, type TransportErrorOptions } from './transport-error.js';

/** What one check of {@link pollUntil} found: done with a value, or not yet (with what it saw, for the error). */
export type PollStep<T> =
  | {
      /** The end state was reached. */
      readonly done: true;
      /** The value `pollUntil` resolves with. */
      readonly value: T;
    }
  | {
      /** Not yet: check again after the next delay. */
      readonly done: false;
      /** What this check saw (kept as the timeout error's `lastValue`). @default undefined */
      readonly value?: unknown;
    };

/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** Stops polling; the promise rejects with `signal.reason`. @default undefined */
  signal?: AbortSignal;
  /** How long to keep polling, from the first check, before a {@link PollTimeoutError}. @default undefined (no limit) */
  timeoutMs?: number;
  /** Delay before the second check. @default 1000 */
  initialDelayMs?: number;
  /** Largest delay between checks. @default 10000 */
  maxDelayMs?: number;
  /** Factor the delay grows by after each check. @default 2 */
  multiplier?: number;
  /** Randomize each delay between half and all of it, so many pollers spread out. @default true */
  jitter?: boolean;
  /** What is being waited for, for the timeout message, e.g. `file file-fe-123 to be processed`. @default 'the poll' */
  what?: string;
  /** The operation name for the timeout error. @default undefined */
  operation?: string;
}

/** Context given to each check. */
export interface PollContext {
  /** 1 for the first check. */
  readonly attempt: number;
  /** The poll's signal, to pass on to the check's request. */
  readonly signal: AbortSignal | undefined;
}

const pollMarker = Symbol.for('@x/transport.poll-timeout-error');

/** Options of a {@link PollTimeoutError}. */
export interface PollTimeoutErrorOptions extends TransportErrorOptions {
  /** The limit that was exceeded, in milliseconds. */
  timeoutMs: number;
  /** How many checks were made. */
  checks: number;
  /** What the last check saw. */
  lastValue: unknown;
}

/**
 * A poll did not reach its end state within its `timeoutMs`. Code `TIMEOUT`, phase `poll`; not retryable as such
 * (the work may still finish on the service: poll again with a longer limit).
 *
 * @example
 * ```ts
 * if (PollTimeoutError.isInstance(error)) console.error(`still ${JSON.stringify(error.lastValue)} after ${error.checks} checks`)
 * ```
 */
export class PollTimeoutError extends TimeoutError {
  /** How many checks were made. */
  readonly checks: number;
  /** What the last check saw. */
  readonly lastValue: unknown;

  constructor(message: string, options: PollTimeoutErrorOptions) {
    super(message, { ...options, phase: 'poll', isRetryable: false });
    this.name = 'PollTimeoutError';
    this.checks = options.checks;
    this.lastValue = options.lastValue;
    Object.defineProperty(this, pollMarker, { value: true });
  }

  /** True for a `PollTimeoutError` from any copy of this package. */
  static override isInstance(value: unknown): value is PollTimeoutError {
    return TransportError.isInstance(value) && pollMarker in value;
  }

  protected override details(): Record<string, unknown> {
    return { ...super.details(), checks: this.checks };
  }
}

/**
 * Calls `check` until it reports `done`, waiting between checks with exponential backoff (from `initialDelayMs`,
 * times `multiplier`, capped at `maxDelayMs`, with jitter). The first check runs at once. An error thrown by
 * `check` ends the poll with that error.
 *
 * @returns The `value` of the check that reported `done`.
 * @throws {@link PollTimeoutError} when `timeoutMs` passes first, naming what was awaited and the figure.
 * @throws `signal.reason` when aborted, also during a wait.
 * @example
 * ```ts
 * const file = await pollUntil(
 *   async ({ signal }) => {
 *     const file = await client.retrieve(id, { signal });
 *     return { done: file.status !== 'uploaded', value: file };
 *   },
 *   { signal, timeoutMs: 120_000, initialDelayMs: 500, maxDelayMs: 5_000, what: `file ${id} to be processed` },
 * );
 * ```
 */
export async function pollUntil<T>(
  check: (context: PollContext) => Promise<PollStep<T>> | PollStep<T>,
  options: PollOptions = {},
): Promise<T> {
  const {
    signal,
    timeoutMs,
    initialDelayMs = 1000,
    maxDelayMs = 10_000,
    multiplier = 2,
    jitter = true,
    what = 'the poll',
    operation,
  } = options;
  signal?.throwIfAborted();
  const startedAt = Date.now();
  let delayMs = initialDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    const step = await check({ attempt, signal });
    signal?.throwIfAborted();
    if (step.done) return step.value;
    let waitMs = jitter ? delayMs / 2 + Math.random() * (delayMs / 2) : delayMs;
    if (timeoutMs !== undefined) {
      const remainingMs = timeoutMs - (Date.now() - startedAt);
      if (remainingMs <= 0) {
        throw new PollTimeoutError(
          `Timed out after ${timeoutMs} ms waiting for ${what} (${attempt} checks)`,
          {
            timeoutMs,
            checks: attempt,
            lastValue: step.value,
            operation,
          },
        );
      }
      // The last check lands at the deadline rather than after it.
      waitMs = Math.min(waitMs, remainingMs);
    }
    await sleep(Math.max(0, Math.round(waitMs)), signal);
    delayMs = Math.min(maxDelayMs, delayMs * multiplier);
  }
}

function sleep(delayMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
