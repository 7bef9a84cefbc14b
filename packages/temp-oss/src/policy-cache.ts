import type { UploadPolicyData } from './temp-oss-api.js';

/** One getPolicy answer and the names already used under its folder. */
export interface CachedPolicy {
  /** The answer as parsed. */
  readonly data: UploadPolicyData;
  /** When the policy stops being accepted, by the local clock (request time + `expire_in_seconds`). */
  readonly expiresAtMs: number;
  /** When the cache stops handing it out. */
  readonly refreshAtMs: number;
  /** Object names reserved under `upload_dir` (forbid-overwrite makes a second use a 409). */
  readonly names: Set<string>;
}

/** Options of {@link createPolicyCache}. */
export interface PolicyCacheOptions {
  /**
   * Fetches a fresh policy for `model`. Called at most once at a time per model; `signal` aborts when every caller
   * waiting for this fetch has stopped waiting.
   */
  fetchPolicy(model: string, signal: AbortSignal): Promise<UploadPolicyData>;
  /** How long before expiry a policy is replaced; capped at half the policy's lifetime. */
  refreshMarginMs: number;
  /** The clock. @default Date.now */
  now?: () => number;
}

/** Policies per model for one account, shared by every upload until shortly before they expire. */
export interface PolicyCache {
  /** A policy that is valid for at least the refresh margin; concurrent callers share one fetch. */
  get(model: string, signal?: AbortSignal): Promise<CachedPolicy>;
  /** Drops `policy` (the service said it expired) unless a newer one already replaced it. */
  invalidate(model: string, policy: CachedPolicy): void;
  /** Forgets everything. */
  clear(): void;
}

/**
 * Creates the cache. A fetch is shared by every caller waiting for the same model. One caller aborting does not cancel
 * it (the others still want it); when the last waiting caller aborts, the fetch is aborted too, so no request outlives
 * everyone who asked for it (a closing client would otherwise wait for it).
 */
export function createPolicyCache(options: PolicyCacheOptions): PolicyCache {
  const now = options.now ?? Date.now;
  const policies = new Map<string, CachedPolicy>();
  const pending = new Map<string, InFlight>();
  let generation = 0;

  function load(model: string): InFlight {
    const inFlight = pending.get(model);
    if (inFlight) return inFlight;
    const startedGeneration = generation;
    const requestedAtMs = now();
    const controller = new AbortController();
    const promise = options
      .fetchPolicy(model, controller.signal)
      .then((data) => {
        const lifetimeMs = data.expire_in_seconds * 1000;
        const marginMs = Math.min(options.refreshMarginMs, lifetimeMs / 2);
        const policy: CachedPolicy = {
          data,
          expiresAtMs: requestedAtMs + lifetimeMs,
          refreshAtMs: requestedAtMs + lifetimeMs - marginMs,
          names: new Set(),
        };
        if (generation === startedGeneration) policies.set(model, policy);
        return policy;
      })
      .finally(() => {
        if (pending.get(model) === fetch) pending.delete(model);
      });
    // The shared promise may reject after every caller has gone; that rejection is nobody's to handle.
    promise.catch(() => undefined);
    const fetch: InFlight = {
      promise,
      waiters: 0,
      leave() {
        fetch.waiters -= 1;
        if (fetch.waiters > 0) return;
        if (pending.get(model) === fetch) pending.delete(model);
        controller.abort(new DOMException('every caller stopped waiting for this policy', 'AbortError'));
      },
    };
    pending.set(model, fetch);
    return fetch;
  }

  return {
    async get(model, signal) {
      signal?.throwIfAborted();
      const cached = policies.get(model);
      if (cached && now() < cached.refreshAtMs) return cached;
      if (cached) policies.delete(model);
      return wait(load(model), signal);
    },
    invalidate(model, policy) {
      if (policies.get(model) === policy) policies.delete(model);
    },
    clear() {
      generation++;
      policies.clear();
      pending.clear();
    },
  };
}

/** A fetch in flight and how many callers are still waiting for it. */
interface InFlight {
  readonly promise: Promise<CachedPolicy>;
  waiters: number;
  /** One waiter stopped waiting; the last one out aborts the fetch. */
  leave(): void;
}

/** Waits for `fetch`, or rejects with `signal.reason` as soon as the signal aborts (leaving the fetch). */
function wait(fetch: InFlight, signal: AbortSignal | undefined): Promise<CachedPolicy> {
  fetch.waiters += 1;
  if (!signal) return fetch.promise;
  return new Promise<CachedPolicy>((resolve, reject) => {
    const onAbort = () => {
      fetch.leave();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    fetch.promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
