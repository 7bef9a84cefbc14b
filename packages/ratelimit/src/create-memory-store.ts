import type { QuotaRule, RateLimitStore, StoreRequest } from './rate-limit-store.js';
import { checkWindowMargin, defaultWindowMarginMs } from './window-margin.js';

/** Options for {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Added to every window: a start counts for `intervalMs + windowMarginMs` after it was dispatched. The limiter sees
   * calls when they are dispatched, a server counts them when they arrive, and the two differ by more than one
   * window: a first burst on new connections (TCP, TLS) arrives spread out, the next one, on warm connections, lands
   * about a window after its dispatch; without a margin a server that counts arrivals in a sliding window sees one
   * window hold more than the quota, and answers 429. The Redis store has the same margin and the same default.
   * Set it to `0` for a bound measured at dispatch only.
   * @default 100 ({@link defaultWindowMarginMs})
   */
  windowMarginMs?: number;
}

/**
 * The starts of one key in the last window, in admission order, in a ring buffer that grows up to `limit` slots.
 * A start admitted with `startsLater` is held as `Infinity` (it has not happened yet, so it cannot leave the window)
 * until restamp() gives it its time.
 */
interface LogState {
  readonly kind: 'log';
  times: Float64Array;
  head: number;
  size: number;
  /** How many entries are held starts (`Infinity`). */
  held: number;
  intervalMs: number;
  /** Ring index where the next re-stamp probably is (re-stamps come in admission order), or -1. */
  next: number;
  /** Starts stamped at or before this time have left the window (and were dropped, or soon will be). */
  expiredUntil: number;
}

/** GCRA state: the theoretical arrival time of the next start, and the starts admitted but not yet started. */
interface GcraState {
  readonly kind: 'gcra';
  tat: number;
  intervalMs: number;
  /** The cost of starts admitted with `startsLater` that restamp() has not placed yet: they start no earlier than now. */
  held: number;
}

type KeyState = LogState | GcraState;

/** Below this many keys the store never sweeps idle ones. */
const minimumSweepSize = 1024;

/**
 * An in-process store: a sliding-window log per key (a ring buffer of the last `limit` start times, O(1) per
 * start, 8 bytes per slot) or GCRA when `burst < limit`. It answers synchronously, holds no timers, and forgets
 * idle keys as new ones arrive, so memory follows the number of active keys.
 *
 * Every window is widened by `windowMarginMs` (default {@link defaultWindowMarginMs}), so calls admitted at a quota
 * also arrive within it at a server that counts arrivals.
 *
 * The limiter creates one by default; create one yourself to share it between limiters in one process, or to
 * change the margin.
 *
 * @throws {@link RateLimitError} `INVALID_OPTIONS` when `windowMarginMs` is not a finite number >= 0.
 * @example
 * ```ts
 * const store = createMemoryStore({ windowMarginMs: 100 });
 * const uploads = createRateLimiter({ limit: 3, intervalMs: 1000, store });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  const { windowMarginMs = defaultWindowMarginMs } = options;
  checkWindowMargin(windowMarginMs, 'createMemoryStore');
  return createShareStore(windowMarginMs, 1);
}

/**
 * The memory store behind {@link createMemoryStore}, applying `share` of every rule's `limit` and `burst` (at least 1
 * each, a call's cost capped at the shared limit): the Redis store's local fallback. Every rule is read as it is at
 * each call (the limiter changes its rules in place on `update()`) and applied as plain numbers: its window plus the
 * margin, its shared limit and burst. Nothing is allocated or looked up per rule.
 *
 * @internal
 */
export function createShareStore(windowMarginMs: number, share: number): RateLimitStore {
  const states = new Map<string, KeyState>();
  let sweepAt = minimumSweepSize;
  const isWhole = share === 1;
  const limitOf = (rule: QuotaRule): number =>
    isWhole ? rule.limit : Math.max(1, Math.floor(rule.limit * share));
  const burstOf = (rule: QuotaRule): number =>
    isWhole ? rule.burst : Math.max(1, Math.floor(rule.burst * share));
  /** The starts a request counts as here: its cost, capped at every shared limit. */
  function costOf(request: StoreRequest): number {
    if (isWhole) return request.cost;
    let cost = request.cost;
    for (const { rule } of request.demands) cost = Math.min(cost, limitOf(rule));
    return cost;
  }
  /** The GCRA emission interval of a rule as applied here. */
  const periodOf = (rule: QuotaRule): number =>
    period(rule.intervalMs + windowMarginMs, limitOf(rule), burstOf(rule));

  function stateOf(key: string, limit: number, burst: number, windowMs: number, now: number): KeyState {
    const isLog = burst >= limit;
    let state = states.get(key);
    if (state === undefined) {
      if (states.size >= sweepAt) sweepAt = Math.max(minimumSweepSize, 2 * sweep(states, now));
      state = isLog ? newLog(limit, windowMs) : { kind: 'gcra', tat: 0, intervalMs: windowMs, held: 0 };
      states.set(key, state);
    } else if (state.kind === 'log' && !isLog) {
      state = logToGcra(state, limit, burst, windowMs, now);
      states.set(key, state);
    } else if (state.kind === 'gcra' && isLog) {
      state = gcraToLog(state, limit, now);
      states.set(key, state);
    }
    state.intervalMs = windowMs;
    return state;
  }

  return {
    acquire(request: StoreRequest): number {
      const { demands, now } = request;
      const cost = costOf(request);
      let wait = 0;
      for (const { key, rule } of demands) {
        const limit = limitOf(rule);
        const burst = burstOf(rule);
        const windowMs = rule.intervalMs + windowMarginMs;
        const state = stateOf(key, limit, burst, windowMs, now);
        const demandWait =
          state.kind === 'log'
            ? logWait(state, limit, windowMs, cost, now)
            : gcraWait(state, period(windowMs, limit, burst), burst, cost, now);
        if (demandWait > wait) wait = demandWait;
      }
      if (wait > 0) return wait;
      // A start that happens later is held: it counts in every window until restamp() says when it happened.
      const isHeld = request.startsLater === true;
      for (const demand of demands) {
        const state = states.get(demand.key)!;
        if (state.kind === 'log') {
          const capacity = state.times.length;
          const time = isHeld ? Number.POSITIVE_INFINITY : now;
          for (let index = 0; index < cost; index++) {
            state.times[(state.head + state.size) % capacity] = time;
            state.size++;
          }
          if (isHeld) state.held += cost;
        } else if (isHeld) {
          state.held += cost;
        } else {
          state.tat = Math.max(state.tat, now) + cost * periodOf(demand.rule);
        }
      }
      return 0;
    },

    restamp(request: StoreRequest, now: number): void {
      const cost = costOf(request);
      if (request.startsLater === true) {
        for (const { key, rule } of request.demands) {
          const state = states.get(key);
          if (state === undefined) continue;
          if (state.kind === 'log') {
            placeHeld(state, cost, now);
          } else {
            state.held = Math.max(0, state.held - cost);
            state.tat = Math.max(state.tat, now) + cost * periodOf(rule);
          }
        }
        return;
      }
      if (!(now > request.now)) return;
      for (const { key, rule } of request.demands) {
        const state = states.get(key);
        if (state === undefined) continue;
        if (state.kind === 'gcra') {
          // As if the start had been admitted at `now`.
          state.tat = Math.max(state.tat, now + cost * periodOf(rule));
          continue;
        }
        restampLog(state, request.now, cost, now);
      }
    },
  };
}

/**
 * Gives `cost` held starts the time `now`. Held starts are interchangeable; restamps come in admission order, so
 * look first right after where the previous one ended, then from the oldest entry.
 */
function placeHeld(state: LogState, cost: number, now: number): void {
  const { times } = state;
  const capacity = times.length;
  let remaining = Math.min(cost, state.held);
  const hint = state.next >= 0 ? (state.next - state.head + capacity) % capacity : 0;
  const from = hint < state.size ? hint : 0;
  for (let step = 0; step < state.size && remaining > 0; step++) {
    const index = (state.head + ((from + step) % state.size)) % capacity;
    if (times[index] !== Number.POSITIVE_INFINITY) continue;
    times[index] = now;
    remaining--;
    state.held--;
    state.next = (index + 1) % capacity;
  }
}

/** Moves `cost` starts stamped `admittedAt` (one request's) to `now`. */
function restampLog(state: LogState, admittedAt: number, cost: number, now: number): void {
  const { times } = state;
  const capacity = times.length;
  const isLive = (index: number) => (index - state.head + capacity) % capacity < state.size;
  // A start that left the window before its caller even began is not brought back (only a stall longer than the
  // whole window gets here); looking for it would scan the whole ring.
  if (admittedAt <= state.expiredUntil) return;
  let remaining = cost;
  // Re-stamps come in admission order: look first right after where the previous one ended.
  let index = state.next;
  if (index >= 0 && isLive(index)) {
    while (remaining > 0 && times[index] === admittedAt && isLive(index)) {
      times[index] = now;
      remaining--;
      index = (index + 1) % capacity;
      state.next = index;
    }
  }
  // Otherwise scan back from the newest entry. The ring is in admission order and re-stamps only move entries
  // later, so an entry older than `admittedAt` means this request's entries are not further back.
  for (let offset = state.size - 1; offset >= 0 && remaining > 0; offset--) {
    index = (state.head + offset) % capacity;
    if (times[index]! < admittedAt) break;
    if (times[index] === admittedAt) {
      times[index] = now;
      remaining--;
      state.next = (index + 1) % capacity;
    }
  }
}

/** Rings start small and double as starts accumulate, so a huge limit costs only what is in the window. */
const initialCapacity = 16;

function newLog(limit: number, intervalMs: number): LogState {
  return {
    kind: 'log',
    times: new Float64Array(Math.min(limit, initialCapacity)),
    head: 0,
    size: 0,
    held: 0,
    intervalMs,
    next: -1,
    expiredUntil: Number.NEGATIVE_INFINITY,
  };
}

/**
 * Drops starts that left the window (`windowMs`, the rule's window plus the margin); returns the wait until `cost`
 * more fit under `limit` (0 when they fit now).
 */
function logWait(state: LogState, limit: number, windowMs: number, cost: number, now: number): number {
  // Only shrinks here; growth happens below, once the expired starts are gone.
  if (state.times.length > limit) resize(state, limit);
  const { times } = state;
  const capacity = times.length;
  const oldestKept = now - windowMs;
  if (oldestKept > state.expiredUntil) state.expiredUntil = oldestKept;
  while (state.size > 0 && times[state.head]! <= oldestKept) {
    state.head = state.head + 1 === capacity ? 0 : state.head + 1;
    state.size--;
  }
  const excess = state.size + cost - limit;
  if (excess <= 0) {
    if (state.size + cost > capacity) {
      resize(state, Math.min(limit, Math.max(2 * capacity, state.size + cost)));
    }
    return 0;
  }
  // The call fits once the `excess`-th oldest start has left the window; a held start leaves it no earlier than a
  // window from now.
  const wait = Math.min(times[(state.head + excess - 1) % capacity]!, now) + windowMs - now;
  return wait > 0 ? wait : Number.EPSILON;
}

/** Moves the starts into a ring of `capacity` slots, keeping the most recent ones (they are the ones that bind). */
function resize(state: LogState, capacity: number): void {
  const times = new Float64Array(capacity);
  const kept = Math.min(state.size, capacity);
  const previous = state.times.length;
  for (let index = 0; index < kept; index++) {
    times[index] = state.times[(state.head + state.size - kept + index) % previous]!;
  }
  state.times = times;
  state.head = 0;
  state.size = kept;
  state.held = 0;
  for (let index = 0; index < kept; index++) if (times[index] === Number.POSITIVE_INFINITY) state.held++;
  state.next = -1;
}

/** The GCRA emission interval that keeps any window (`windowMs`) at or under `limit`: T = W / (limit - burst + 1). */
function period(windowMs: number, limit: number, burst: number): number {
  return windowMs / (limit - burst + 1);
}

/** The wait until `cost` more starts fit, spaced by `emission` after a burst of `burst`. */
function gcraWait(state: GcraState, emission: number, burst: number, cost: number, now: number): number {
  // Held starts happen no earlier than now: count them as if they started now, before this call.
  const allowAt = Math.max(state.tat, now) + (state.held + cost - 1) * emission - (burst - 1) * emission;
  return allowAt > now ? allowAt - now : 0;
}

/** Switching algorithms: treat the starts still in the window as if they had just happened. */
function logToGcra(state: LogState, limit: number, burst: number, windowMs: number, now: number): GcraState {
  logWait(state, limit, windowMs, 0, now);
  return {
    kind: 'gcra',
    tat: now + (state.size - state.held) * period(windowMs, limit, burst),
    intervalMs: windowMs,
    held: state.held,
  };
}

function gcraToLog(state: GcraState, limit: number, now: number): LogState {
  const log = newLog(limit, state.intervalMs);
  const held = Math.min(limit, state.held);
  const recent = Math.min(limit - held, Math.ceil(Math.max(0, state.tat - now) / (state.intervalMs / limit)));
  if (recent + held > log.times.length) log.times = new Float64Array(recent + held);
  log.times.fill(now, 0, recent);
  log.times.fill(Number.POSITIVE_INFINITY, recent, recent + held);
  log.size = recent + held;
  log.held = held;
  return log;
}

/** Forgets keys with nothing in their window; returns how many keys are left. */
function sweep(states: Map<string, KeyState>, now: number): number {
  for (const [key, state] of states) {
    const isIdle =
      state.kind === 'log'
        ? state.size === 0 ||
          (state.held === 0 &&
            state.times[(state.head + state.size - 1) % state.times.length]! <= now - state.intervalMs)
        : state.tat <= now && state.held === 0;
    if (isIdle) states.delete(key);
  }
  return states.size;
}
