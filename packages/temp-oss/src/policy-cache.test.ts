import { describe, expect, it } from 'vitest';
import { createPolicyCache } from './policy-cache.js';
import type { UploadPolicyData } from './temp-oss-api.js';

function policy(id: number, expireInSeconds = 300): UploadPolicyData {
  return {
    policy: `policy-${id}`,
    signature: 'signature',
    upload_dir: `dir/${id}`,
    upload_host: 'http://127.0.0.1/bucket',
    expire_in_seconds: expireInSeconds,
    max_file_size_mb: 100,
    oss_access_key_id: 'id',
  };
}

function setup(options: { expireInSeconds?: number; refreshMarginMs?: number } = {}) {
  let clock = 1_000_000;
  const fetched: string[] = [];
  const signals: AbortSignal[] = [];
  const gates: (() => void)[] = [];
  let holdFetches = false;
  const cache = createPolicyCache({
    refreshMarginMs: options.refreshMarginMs ?? 60_000,
    now: () => clock,
    async fetchPolicy(model, signal) {
      fetched.push(model);
      signals.push(signal);
      const id = fetched.length;
      if (holdFetches) await new Promise<void>((resolve) => gates.push(resolve));
      return policy(id, options.expireInSeconds);
    },
  });
  return {
    cache,
    fetched,
    signals,
    advance: (ms: number) => {
      clock += ms;
    },
    hold: () => {
      holdFetches = true;
    },
    release: () => {
      for (const gate of gates.splice(0)) gate();
    },
  };
}

describe('createPolicyCache', () => {
  it('serves one policy per model until the refresh margin before expiry', async () => {
    const { cache, fetched, advance } = setup();
    const first = await cache.get('qwen-vl-plus');
    expect((await cache.get('qwen-vl-plus')).data.policy).toBe(first.data.policy);
    expect((await cache.get('qwen-audio')).data.upload_dir).toBe('dir/2');
    advance(240_000 - 1);
    expect(await cache.get('qwen-vl-plus')).toBe(first);
    advance(1);
    expect((await cache.get('qwen-vl-plus')).data.upload_dir).toBe('dir/3');
    expect(fetched).toEqual(['qwen-vl-plus', 'qwen-audio', 'qwen-vl-plus']);
    expect(first.expiresAtMs - first.refreshAtMs).toBe(60_000);
  });

  it('caps the margin at half the lifetime of a short-lived policy', async () => {
    const { cache, fetched, advance } = setup({ expireInSeconds: 10 });
    const first = await cache.get('m');
    expect(first.refreshAtMs - 1_000_000).toBe(5_000);
    advance(4_999);
    await cache.get('m');
    expect(fetched).toHaveLength(1);
  });

  it('shares one fetch between concurrent callers', async () => {
    const { cache, fetched, hold, release } = setup();
    hold();
    const waiting = Array.from({ length: 50 }, () => cache.get('m'));
    await Promise.resolve();
    release();
    const policies = await Promise.all(waiting);
    expect(fetched).toEqual(['m']);
    expect(new Set(policies).size).toBe(1);
  });

  it('lets a caller stop waiting without cancelling the fetch for the others', async () => {
    const { cache, fetched, hold, release } = setup();
    hold();
    const controller = new AbortController();
    const aborted = cache.get('m', controller.signal);
    const other = cache.get('m');
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    await Promise.resolve();
    release();
    expect((await other).data.upload_dir).toBe('dir/1');
    expect(fetched).toHaveLength(1);
  });

  it('aborts the fetch when the last waiting caller stops waiting, and fetches afresh for the next', async () => {
    const { cache, fetched, signals, hold, release } = setup();
    hold();
    const first = new AbortController();
    const second = new AbortController();
    const waiting = [cache.get('m', first.signal), cache.get('m', second.signal)];
    first.abort(new Error('first'));
    expect(signals[0]?.aborted).toBe(false);
    second.abort(new Error('second'));
    await expect(Promise.all(waiting)).rejects.toThrow('first');
    expect(signals[0]?.aborted).toBe(true);
    const next = cache.get('m');
    release();
    expect((await next).data.upload_dir).toBe('dir/2');
    expect(fetched).toHaveLength(2);
  });

  it('invalidates only the policy that failed, so concurrent failures refresh once', async () => {
    const { cache, fetched } = setup();
    const stale = await cache.get('m');
    cache.invalidate('m', stale);
    const fresh = await cache.get('m');
    cache.invalidate('m', stale);
    expect(await cache.get('m')).toBe(fresh);
    expect(fetched).toHaveLength(2);
  });

  it('does not cache a failed fetch', async () => {
    let calls = 0;
    const cache = createPolicyCache({
      refreshMarginMs: 0,
      async fetchPolicy() {
        calls++;
        if (calls === 1) throw new Error('boom');
        return policy(calls);
      },
    });
    await expect(cache.get('m')).rejects.toThrow('boom');
    expect((await cache.get('m')).data.upload_dir).toBe('dir/2');
  });

  it('keeps names reserved per policy', async () => {
    const { cache } = setup();
    const first = await cache.get('m');
    first.names.add('cat.png');
    expect((await cache.get('m')).names.has('cat.png')).toBe(true);
    cache.invalidate('m', first);
    expect((await cache.get('m')).names.size).toBe(0);
  });
});
