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
  /** Fetches a fresh policy for `model`. Called at most once at a time per model. */
  fetchPolicy(model: string): Promise<UploadPolicyData>;
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
 * Creates the cache. A fetch is shared by every caller waiting for the same model and is not cancelled when one of
 * them aborts (the others still want it); each caller stops waiting on its own signal.
 */
export function createPolicyCache(options: PolicyCacheOptions): PolicyCache {
  const now = options.now ?? Date.now;
  const policies = new Map<string, CachedPolicy>();
  const pending = new Map<string, Promise<CachedPolicy>>();
  let generation = 0;

  function load(model: string): Promise<CachedPolicy> {
    const inFlight = pending.get(model);
    if (inFlight) return inFlight;
    const startedGeneration = generation;
    const requestedAtMs = now();
    const promise = options
      .fetchPolicy(model)
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
        if (pending.get(model) === promise) pending.delete(model);
      });
    pending.set(model, promise);
    return promise;
  }

  return {
    async get(model, signal) {
      signal?.throwIfAborted();
      const cached = policies.get(model);
      if (cached && now() < cached.refreshAtMs) return cached;
      if (cached) policies.delete(model);
      return raceAbort(load(model), signal);
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

/** Waits for `promise`, or rejects with `signal.reason` as soon as the signal aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
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
