import { InvalidInputError } from './invalid-input-error.js';

/** The outcome of one item of a pool, in the shape of `Promise.allSettled` plus the item's position. */
export type PoolResult<T> =
  | {
      /** The item's work succeeded. */
      readonly status: 'fulfilled';
      /** Position of the item in the input. */
      readonly index: number;
      /** What the work returned. */
      readonly value: T;
    }
  | {
      /** The item's work failed; the other items are unaffected. */
      readonly status: 'rejected';
      /** Position of the item in the input. */
      readonly index: number;
      /** Why (a `TransportError` in most cases; `signal.reason` for items never started after an abort). */
      readonly reason: unknown;
    };

/** Options of {@link runPool}. */
export interface RunPoolOptions<T> {
  /** How many items are worked on at once (a whole number from 1). @default 4 */
  concurrency?: number;
  /**
   * Stops the pool: items not yet started are not started, the signal is handed to running work, and once the
   * running work has settled `runPool` rejects with `signal.reason`. @default undefined
   */
  signal?: AbortSignal;
  /** Called once per item as soon as its work settles, in completion order. @default undefined */
  onSettled?: (result: PoolResult<T>) => void;
}

/** What a pool's worker is given besides the item. */
export interface PoolWorkerContext {
  /** The pool's signal, to pass on to the item's calls. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Runs `worker` over `items` with at most `concurrency` at once and settles every one of them: one failure does not
 * stop the others. Results come back in input order, in the shape of `Promise.allSettled` with each item's `index`.
 *
 * @param items - The inputs.
 * @param worker - The work for one item; its rejection becomes that item's `reason`.
 * @throws {@link InvalidInputError} `INVALID_OPTIONS` when `concurrency` is not a whole number from 1.
 * @throws `signal.reason` when aborted (after the running work has settled).
 * @example
 * ```ts
 * const results = await runPool(paths, (path, index, { signal }) => storage.upload(path, { model, signal }), {
 *   concurrency: 4,
 *   signal,
 * });
 * const failed = results.filter((result) => result.status === 'rejected');
 * ```
 */
export async function runPool<I, T>(
  items: readonly I[],
  worker: (item: I, index: number, context: PoolWorkerContext) => Promise<T>,
  options: RunPoolOptions<T> = {},
): Promise<PoolResult<T>[]> {
  const { concurrency = 4, signal, onSettled } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidInputError(
      'INVALID_OPTIONS',
      `concurrency: expected a whole number from 1, got ${concurrency}`,
    );
  }
  signal?.throwIfAborted();
  const count = items.length;
  const results: PoolResult<T>[] = new Array(count);
  const context: PoolWorkerContext = { signal };
  let next = 0;
  const settle = (result: PoolResult<T>) => {
    results[result.index] = result;
    onSettled?.(result);
  };
  async function lane(): Promise<void> {
    while (next < count) {
      const index = next++;
      if (signal?.aborted) {
        settle({ status: 'rejected', index, reason: signal.reason });
        continue;
      }
      try {
        settle({ status: 'fulfilled', index, value: await worker(items[index] as I, index, context) });
      } catch (reason) {
        settle({ status: 'rejected', index, reason });
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  signal?.throwIfAborted();
  return results;
}
