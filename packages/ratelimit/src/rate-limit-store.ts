/**
 * The limits of one quota, as a store sees them. The limiter owns these objects and changes them in place
 * on `update()`, so waiters always see the current values.
 */
export interface QuotaRule {
  /** The most starts in any sliding window of `intervalMs`. */
  readonly limit: number;
  /** The window length in milliseconds. */
  readonly intervalMs: number;
  /**
   * The most starts back to back. Equal to `limit` for the sliding-window log; smaller selects GCRA, which spaces
   * starts evenly (`limit - burst + 1` per window in steady state) and keeps one number per key.
   */
  readonly burst: number;
}

/** One quota an acquisition must pass: a rule and the key it is counted under. */
export interface StoreDemand {
  /** The key the starts are counted under (for example an account, or a quota name and an account). */
  readonly key: string;
  /** The limits that apply to this key. */
  readonly rule: QuotaRule;
}

/** One attempt to admit a call, as handed to a store. */
export interface StoreRequest {
  /** Every quota the call must pass. The store admits the call under all of them or under none. */
  readonly demands: readonly StoreDemand[];
  /** How many starts the call counts as (a weight), at least 1 and at most every rule's `limit`. */
  readonly cost: number;
  /** Unique per acquisition and stable across its retries, so a store can make a resend idempotent. */
  readonly id: string;
  /** The limiter's clock in milliseconds. Local stores use it; distributed stores use their own clock. */
  readonly now: number;
  /**
   * True when the call starts after its admission and the limiter will call `restamp()` once it has started. A store
   * that implements `restamp()` then holds the admitted starts in every window until that call, as starts still to
   * come: however long the caller takes to start, they cannot leave a window before they happened.
   */
  readonly startsLater?: boolean;
}

/** What a store answers to a batch of acquisitions. */
export interface StoreBatchResult {
  /** How many of the requests, from the first, were admitted and recorded. */
  readonly admitted: number;
  /** When some were not: the milliseconds to wait before asking again for the first of them; otherwise 0. */
  readonly waitMs: number;
}

/**
 * Where starts are counted. The in-memory store answers synchronously; a distributed store (Redis) answers
 * with a promise. Either way the answer is `0` when the call was admitted and recorded under every demand,
 * or the milliseconds to wait before asking again (nothing recorded).
 */
export interface RateLimitStore {
  /**
   * Admits the call under every demand atomically, or under none.
   *
   * @returns `0` (admitted and recorded) or a positive wait in milliseconds.
   * @throws {@link RateLimitStoreError} when the store cannot answer and its policy is to fail closed.
   */
  acquire(request: StoreRequest): number | Promise<number>;
  /**
   * Admits several waiting acquisitions for the same keys in one round trip, in order, stopping at the first that
   * does not fit. Distributed stores implement it so a burst of waiters costs one call, not one call each.
   *
   * @throws {@link RateLimitStoreError} when the store cannot answer and its policy is to fail closed.
   */
  acquireBatch?(requests: readonly StoreRequest[]): StoreBatchResult | Promise<StoreBatchResult>;
  /**
   * Gives the starts of an admitted request their time: `now`, a clock reading taken just after the call started, so
   * a pause between admission and start (a garbage collection, a busy event loop) cannot make a start count as
   * earlier than it was. For a request admitted with `startsLater`, this ends the hold on its starts; otherwise it
   * moves them from `request.now` to `now`. Local stores implement it; a distributed store handles the same gap
   * itself.
   */
  restamp?(request: StoreRequest, now: number): void;
  /** Takes back the starts of an admitted request whose caller gave up before it could start. */
  release?(request: StoreRequest): void | Promise<void>;
  /** Pauses every caller of `key`, in every process that shares the store, for `retryAfterMs`. */
  penalize?(key: string, retryAfterMs: number): void | Promise<void>;
}
