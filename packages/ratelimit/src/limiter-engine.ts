import { randomUUID } from 'node:crypto';
import { createMemoryStore } from './create-memory-store.js';
import { RateLimitError } from './rate-limit-error.js';
import type {
  QuotaRule,
  RateLimitStore,
  StoreBatchResult,
  StoreDemand,
  StoreRequest,
} from './rate-limit-store.js';

/** A quota as the engine holds it: the store's rule plus the in-process concurrency cap. Changed in place. */
export interface Quota extends QuotaRule {
  limit: number;
  intervalMs: number;
  burst: number;
  /** The burst the user asked for; `undefined` follows `limit`. */
  requestedBurst: number | undefined;
  concurrency: number;
}

/** A demand on one key, with the quota that governs it. */
export interface Demand extends StoreDemand {
  readonly rule: Quota;
}

/** Releases a concurrency slot. Calling it more than once does nothing. */
export type Release = () => void;

/** The per-key bookkeeping of one process: the FIFO of waiters, calls in flight, and a pause. */
class KeyState {
  queue: Waiter[] = [];
  head = 0;
  active = 0;
  pausedUntil = 0;

  constructor(readonly key: string) {}

  /** The first waiter still waiting, dropping settled ones. */
  peek(): Waiter | undefined {
    while (this.head < this.queue.length) {
      const waiter = this.queue[this.head]!;
      if (!waiter.isDone) return waiter;
      this.shift();
    }
    return undefined;
  }

  /** Removes a settled waiter: peek() drops it when it is at the front, as it almost always is. */
  remove(waiter: Waiter): void {
    this.peek();
    const index = this.queue.indexOf(waiter, this.head);
    if (index >= 0) this.queue.splice(index, 1);
  }

  shift(): void {
    this.queue[this.head++] = undefined as unknown as Waiter;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** One call waiting for its turn. */
interface Waiter {
  readonly request: EngineRequest;
  readonly states: KeyState[];
  readonly signal: AbortSignal | undefined;
  readonly onAdmit: (release: Release, stamp: () => void) => void;
  readonly onReject: (reason: unknown) => void;
  /**
   * True when `onAdmit` runs the call itself (schedule) and calls `stamp` once the call has settled; otherwise the
   * start is re-stamped after the caller's continuation (acquire).
   */
  readonly startsOnAdmit: boolean;
  onAbort: (() => void) | undefined;
  notBefore: number;
  isInFlight: boolean;
  isDone: boolean;
}

interface EngineRequest extends StoreRequest {
  readonly demands: readonly Demand[];
  now: number;
}

const noop: Release = () => {};

/** Reactions to it run as microtasks, in order with every other microtask. */
const settledPromise = Promise.resolve();

/** The most waiters of one key sent to a distributed store in one round trip. */
const maxBatchSize = 32;

/**
 * The scheduler behind every limiter: per-key FIFO queues, admission checked at dispatch against the store,
 * one timer for the whole limiter armed for the earliest moment any head of line may go, and no timer at all
 * when nothing waits.
 */
export class LimiterEngine {
  private readonly states = new Map<string, KeyState>();
  private readonly pending = new Set<KeyState>();
  private readonly token = randomUUID().slice(0, 8);
  private sequence = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private isDraining = false;
  private shouldDrainAgain = false;
  private isClosed = false;
  private inFlight = 0;
  private onSettled: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  /** acquire() admissions waiting for their callers to start, to be re-stamped together. */
  private restampLater: EngineRequest[] = [];

  constructor(
    private readonly store: RateLimitStore = createMemoryStore(),
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Waits for a turn under every demand; resolves with the release of the concurrency slots it holds. */
  acquire(demands: readonly Demand[], cost: number, signal: AbortSignal | undefined): Promise<Release> {
    return new Promise<Release>((resolve, reject) =>
      this.submit(demands, cost, signal, resolve, reject, false),
    );
  }

  /**
   * Runs `fn` synchronously at its admission; the store holds its start (it counts in every window) until what `fn`
   * returns settles, then counts it from that moment. A server counts a call when it arrives, which is before its
   * answer, so however long the call took to arrive, no window at the server holds more than the limit. Releases
   * the concurrency slots at the same moment.
   */
  schedule<T>(
    demands: readonly Demand[],
    cost: number,
    signal: AbortSignal | undefined,
    fn: () => T | PromiseLike<T>,
  ): Promise<Awaited<T>> {
    return new Promise<Awaited<T>>((resolve, reject) => {
      const onAdmit = (release: Release, stamp: () => void): void => {
        let result: T | PromiseLike<T>;
        try {
          result = fn();
        } catch (error) {
          stamp();
          release();
          reject(error);
          return;
        }
        if (!isThenable(result)) {
          stamp();
          release();
          resolve(result as Awaited<T>);
          return;
        }
        result.then(
          (value) => {
            stamp();
            release();
            resolve(value as Awaited<T>);
          },
          (error: unknown) => {
            stamp();
            release();
            reject(error);
          },
        );
      };
      this.submit(demands, cost, signal, onAdmit, reject, true);
    });
  }

  /** Pauses every caller of these keys for `retryAfterMs`, here and (through the store) in other processes. */
  penalize(keys: readonly string[], retryAfterMs: number): void {
    if (!(retryAfterMs > 0) || this.isClosed) return;
    const until = this.clock() + retryAfterMs;
    for (const key of keys) {
      const state = this.stateOf(key);
      if (until > state.pausedUntil) state.pausedUntil = until;
      // A failed penalty only loses the other processes' pause; the store reports it through its own hook.
      settle(() => this.store.penalize?.(key, retryAfterMs));
    }
    this.drain();
  }

  /** Re-checks every waiter after a quota changed. */
  changed(): void {
    for (const state of this.pending) {
      for (let index = state.head; index < state.queue.length; index++) state.queue[index]!.notBefore = 0;
    }
    this.drain();
  }

  /** Rejects every waiter, stops the timer, and waits for store calls in flight. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.isClosed = true;
    this.arm(Number.POSITIVE_INFINITY);
    const error = closedError();
    for (const state of this.pending) {
      for (let waiter = state.peek(); waiter !== undefined; waiter = state.peek()) this.fail(waiter, error);
    }
    this.pending.clear();
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onSettled = resolve));
  }

  private submit(
    demands: readonly Demand[],
    cost: number,
    signal: AbortSignal | undefined,
    onAdmit: (release: Release, stamp: () => void) => void,
    onReject: (reason: unknown) => void,
    startsOnAdmit: boolean,
  ): void {
    const refusal = signal?.aborted
      ? signal.reason
      : this.isClosed
        ? closedError()
        : checkCost(demands, cost);
    if (refusal !== undefined) {
      onReject(refusal);
      return;
    }
    const request: EngineRequest = {
      demands,
      cost,
      id: this.token + (this.sequence++).toString(36),
      now: 0,
      // Every admission is re-stamped once its call has started; until then the store holds its starts.
      startsLater: this.store.restamp !== undefined,
    };
    if (!this.canSkipQueue(demands)) {
      this.enqueue(request, signal, onAdmit, onReject, startsOnAdmit);
      this.drain();
      return;
    }
    // Nobody waits on these keys: ask the store right away, and start in this very tick if it says yes.
    request.now = this.clock();
    let result: number | Promise<number>;
    try {
      result = this.store.acquire(request);
    } catch (error) {
      onReject(error);
      return;
    }
    if (typeof result === 'number' && result <= 0) {
      if (startsOnAdmit) {
        onAdmit(this.take(demands), this.stamper(request));
      } else {
        onAdmit(this.take(demands), noop);
        this.restamp(request);
      }
      return;
    }
    const waiter = this.enqueue(request, signal, onAdmit, onReject, startsOnAdmit);
    if (typeof result === 'number') {
      waiter.notBefore = request.now + result;
      if (waiter.notBefore < this.timerAt) this.arm(waiter.notBefore);
    } else {
      this.await(waiter, result);
    }
  }

  /** True when no key of the call has waiters, a full concurrency cap or a pause: the fast path. */
  private canSkipQueue(demands: readonly Demand[]): boolean {
    for (const demand of demands) {
      const state = this.states.get(demand.key);
      if (state === undefined) continue;
      if (state.head < state.queue.length || state.active >= demand.rule.concurrency) return false;
      if (state.pausedUntil > 0) {
        if (state.pausedUntil > this.clock()) return false;
        state.pausedUntil = 0;
      }
      if (state.active === 0) this.states.delete(demand.key);
    }
    return true;
  }

  private stateOf(key: string): KeyState {
    let state = this.states.get(key);
    if (state === undefined) {
      state = new KeyState(key);
      this.states.set(key, state);
    }
    return state;
  }

  /** Forgets a key's state once nothing waits, runs or pauses on it. */
  private forget(state: KeyState): void {
    if (state.active === 0 && state.head === state.queue.length && state.pausedUntil <= this.clock()) {
      if (this.states.get(state.key) === state) this.states.delete(state.key);
    }
  }

  private enqueue(
    request: EngineRequest,
    signal: AbortSignal | undefined,
    onAdmit: (release: Release, stamp: () => void) => void,
    onReject: (reason: unknown) => void,
    startsOnAdmit: boolean,
  ): Waiter {
    const states = request.demands.map((demand) => this.stateOf(demand.key));
    const waiter: Waiter = {
      request,
      states,
      signal,
      onAdmit,
      onReject,
      startsOnAdmit,
      onAbort: undefined,
      notBefore: 0,
      isInFlight: false,
      isDone: false,
    };
    if (signal !== undefined) {
      waiter.onAbort = () => {
        this.fail(waiter, signal.reason);
        this.drain();
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    for (const state of states) {
      state.queue.push(waiter);
      this.pending.add(state);
    }
    return waiter;
  }

  /** Admits as many heads of line as the store allows, then arms the timer for the earliest next chance. */
  private drain(): void {
    if (this.isDraining) {
      this.shouldDrainAgain = true;
      return;
    }
    this.isDraining = true;
    let wakeAt = Number.POSITIVE_INFINITY;
    try {
      do {
        this.shouldDrainAgain = false;
        wakeAt = Number.POSITIVE_INFINITY;
        for (const state of this.pending) {
          for (;;) {
            const waiter = state.peek();
            if (waiter === undefined) {
              this.pending.delete(state);
              this.forget(state);
              break;
            }
            if (waiter.isInFlight || !this.isHeadEverywhere(waiter)) break;
            const now = this.clock();
            const readyAt = this.readyAt(waiter);
            if (readyAt === Number.POSITIVE_INFINITY) break;
            if (readyAt > now) {
              if (readyAt < wakeAt) wakeAt = readyAt;
              break;
            }
            const costError = checkCost(waiter.request.demands, waiter.request.cost);
            if (costError !== undefined) {
              // The quota shrank under this waiter's cost after it queued: it could never start.
              this.fail(waiter, costError);
              continue;
            }
            waiter.request.now = now;
            if (this.store.acquireBatch !== undefined) {
              const batch = this.batchFrom(state, waiter, now);
              let batchResult: StoreBatchResult | Promise<StoreBatchResult>;
              try {
                batchResult = this.store.acquireBatch(batch.map((member) => member.request));
              } catch (error) {
                this.fail(waiter, error);
                continue;
              }
              if (isThenable(batchResult)) {
                this.awaitBatch(batch, batchResult);
                break;
              }
              this.settleBatch(batch, batchResult, now);
              if (batchResult.admitted < batch.length) {
                const notBefore = batch[batchResult.admitted]!.notBefore;
                if (notBefore < wakeAt) wakeAt = notBefore;
                break;
              }
              if (waiter.states.length > 1) this.shouldDrainAgain = true;
              continue;
            }
            let result: number | Promise<number>;
            try {
              result = this.store.acquire(waiter.request);
            } catch (error) {
              this.fail(waiter, error);
              continue;
            }
            if (typeof result !== 'number') {
              this.await(waiter, result);
              break;
            }
            if (result > 0) {
              waiter.notBefore = now + result;
              if (waiter.notBefore < wakeAt) wakeAt = waiter.notBefore;
              break;
            }
            this.admit(waiter);
            if (waiter.states.length > 1) this.shouldDrainAgain = true;
          }
        }
      } while (this.shouldDrainAgain);
    } finally {
      this.isDraining = false;
    }
    if (!this.isClosed) this.arm(wakeAt);
  }

  private isHeadEverywhere(waiter: Waiter): boolean {
    for (const state of waiter.states) if (state.peek() !== waiter) return false;
    return true;
  }

  /** When the waiter may ask the store: after pauses and its last denial; `Infinity` while a concurrency cap is full. */
  private readyAt(waiter: Waiter): number {
    let readyAt = waiter.notBefore;
    const { demands } = waiter.request;
    for (let index = 0; index < demands.length; index++) {
      const state = waiter.states[index]!;
      if (state.active >= demands[index]!.rule.concurrency) return Number.POSITIVE_INFINITY;
      if (state.pausedUntil > readyAt) readyAt = state.pausedUntil;
    }
    return readyAt;
  }

  /**
   * The head and the waiters right behind it on the same single key, for one store round trip. Calls on several
   * keys go alone.
   */
  private batchFrom(state: KeyState, head: Waiter, now: number): Waiter[] {
    const batch = [head];
    if (head.states.length !== 1) return batch;
    const rule = head.request.demands[0]!.rule;
    const room = Math.min(maxBatchSize, rule.concurrency - state.active);
    for (let index = state.head + 1; index < state.queue.length && batch.length < room; index++) {
      const next = state.queue[index]!;
      if (next.isDone) continue;
      if (next.isInFlight || next.states.length !== 1 || next.request.cost > rule.limit) break;
      next.request.now = now;
      batch.push(next);
    }
    return batch;
  }

  /** Admits the first `admitted` of a batch (handing back the starts of those aborted meanwhile). */
  private settleBatch(batch: readonly Waiter[], result: StoreBatchResult, now: number): void {
    for (let index = 0; index < batch.length; index++) {
      const waiter = batch[index]!;
      waiter.isInFlight = false;
      if (index < result.admitted) {
        if (waiter.isDone) settle(() => this.store.release?.(waiter.request));
        else this.admit(waiter);
      } else if (index === result.admitted) {
        waiter.notBefore = now + result.waitMs;
      }
    }
  }

  private awaitBatch(batch: readonly Waiter[], result: PromiseLike<StoreBatchResult>): void {
    for (const waiter of batch) waiter.isInFlight = true;
    this.inFlight++;
    Promise.resolve(result)
      .then(
        (batchResult) => this.settleBatch(batch, batchResult, this.clock()),
        (error: unknown) => {
          for (const waiter of batch) {
            waiter.isInFlight = false;
            this.fail(waiter, error);
          }
        },
      )
      .finally(() => this.settled());
  }

  /** A store call finished: wake the close() that waits for it, or look for more to admit. */
  private settled(): void {
    this.inFlight--;
    if (this.isClosed) {
      if (this.inFlight === 0) this.onSettled?.();
    } else {
      this.drain();
    }
  }

  private await(waiter: Waiter, result: Promise<number>): void {
    waiter.isInFlight = true;
    this.inFlight++;
    result
      .then(
        (wait) => {
          waiter.isInFlight = false;
          if (waiter.isDone) {
            // The caller gave up while the store was deciding: hand the starts back.
            if (wait <= 0) settle(() => this.store.release?.(waiter.request));
          } else if (wait <= 0) {
            this.admit(waiter);
          } else {
            waiter.notBefore = this.clock() + wait;
          }
        },
        (error: unknown) => {
          waiter.isInFlight = false;
          if (!waiter.isDone) this.fail(waiter, error);
        },
      )
      .finally(() => this.settled());
  }

  private admit(waiter: Waiter): void {
    waiter.isDone = true;
    for (const state of waiter.states) state.remove(waiter);
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    if (waiter.startsOnAdmit) {
      waiter.onAdmit(this.take(waiter.request.demands), this.stamper(waiter.request));
    } else {
      waiter.onAdmit(this.take(waiter.request.demands), noop);
      this.restamp(waiter.request);
    }
  }

  /** Gives a schedule()d call's held start the time its call settled, once. */
  private stamper(request: EngineRequest): () => void {
    let isStamped = false;
    return () => {
      if (isStamped) return;
      isStamped = true;
      this.store.restamp?.(request, this.clock());
    };
  }

  /**
   * Gives an acquire() admission, held by the store since its admission (`startsLater`), the time the call really
   * started, so no delay between admission and start lets the start count as earlier than it was: after the
   * caller's continuation, which runs one microtask after the promise settles (two hops put the new stamp behind
   * it). However long that continuation waits for the event loop, the store keeps counting the start meanwhile.
   * (schedule() stamps its calls when they settle, through {@link LimiterEngine.stamper}.)
   *
   * The hops are reactions to a settled promise: the same microtask queue, in the same order, as `queueMicrotask()`,
   * which in Node also creates an async resource and a bound function per call (a third of the cost of an
   * uncontended `acquire()`).
   */
  private restamp(request: EngineRequest): void {
    if (this.store.restamp === undefined) return;
    this.restampLater.push(request);
    if (this.restampLater.length > 1) return;
    settledPromise.then(this.restampHop);
  }

  /** The first hop: takes the admissions to re-stamp, then waits one more microtask. */
  private readonly restampHop = (): void => {
    const requests = this.restampLater;
    this.restampLater = [];
    settledPromise.then(() => {
      const now = this.clock();
      for (const admitted of requests) this.store.restamp!(admitted, now);
    });
  };

  private fail(waiter: Waiter, reason: unknown): void {
    if (waiter.isDone) return;
    waiter.isDone = true;
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    waiter.onReject(reason);
  }

  /** Takes a concurrency slot under every capped demand; the release gives them back once. */
  private take(demands: readonly Demand[]): Release {
    let held: KeyState[] | undefined;
    for (const demand of demands) {
      if (demand.rule.concurrency === Number.POSITIVE_INFINITY) continue;
      const state = this.stateOf(demand.key);
      state.active++;
      held ??= [];
      held.push(state);
    }
    if (held === undefined) return noop;
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      for (const state of held) {
        state.active--;
        if (state.head === state.queue.length) this.forget(state);
      }
      if (!this.isClosed) this.drain();
    };
  }

  /** One timer per limiter, armed for `at` (clock milliseconds), or none. */
  private arm(at: number): void {
    if (at === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.drain();
      },
      Math.max(0, Math.ceil(at - this.clock())),
    );
  }
}

function closedError(): RateLimitError {
  return new RateLimitError('LIMITER_CLOSED', 'The rate limiter is closed');
}

function checkCost(demands: readonly Demand[], cost: number): RangeError | undefined {
  if (!Number.isInteger(cost) || cost < 1)
    return new RateLimitError('INVALID_OPTIONS', `cost must be a positive integer, got ${cost}`);
  for (const demand of demands) {
    if (cost > demand.rule.limit) {
      return new RateLimitError(
        'INVALID_OPTIONS',
        `cost ${cost} exceeds the limit ${demand.rule.limit} of "${demand.key}": it could never start`,
      );
    }
  }
  return undefined;
}

/** Runs a store side effect that may return a promise, ignoring its failure (the store reports it itself). */
function settle(effect: () => void | Promise<void> | undefined): void {
  try {
    effect()?.catch(() => undefined);
  } catch {
    // Reported by the store's own hook.
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | undefined)?.then === 'function';
}
