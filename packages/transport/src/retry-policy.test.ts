import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, retryDelayMs, retryPolicy } from './retry-policy.js';

describe('retryPolicy', () => {
  it('applies the documented defaults, and false means one attempt', () => {
    expect(retryPolicy(undefined)).toEqual({
      maxAttempts: 3,
      baseDelayMs: 500,
      maxDelayMs: 8000,
      deadlineMs: undefined,
      maxRetryAfterMs: 60_000,
    });
    expect(retryPolicy(false).maxAttempts).toBe(1);
    expect(retryPolicy({ maxAttempts: 0 }).maxAttempts).toBe(1);
  });
});

describe('retryDelayMs', () => {
  const policy = retryPolicy({ baseDelayMs: 500, maxDelayMs: 8000 });

  it('draws full jitter below an exponential ceiling that is capped', () => {
    expect(retryDelayMs(policy, 1, undefined, () => 0.999)).toBe(499);
    expect(retryDelayMs(policy, 2, undefined, () => 0.999)).toBe(999);
    expect(retryDelayMs(policy, 4, undefined, () => 0.999)).toBe(3996);
    expect(retryDelayMs(policy, 10, undefined, () => 0.999)).toBe(7992);
    expect(retryDelayMs(policy, 3, undefined, () => 0)).toBe(0);
  });

  it('uses the server wait when given, unless it is over maxRetryAfterMs', () => {
    expect(retryDelayMs(policy, 1, 20_000, () => 0.5)).toBe(20_000);
    expect(retryDelayMs(policy, 1, 120_000, () => 0.5)).toBe(250);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('prefers retry-after-ms, then Retry-After seconds or an HTTP date', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '150', 'retry-after': '9' }, now)).toBe(150);
    expect(parseRetryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfterMs({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }, now)).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }, now)).toBe(0);
  });

  it("reads Bailian's x-acs-retry-after in milliseconds, after retry-after-ms and before Retry-After", () => {
    expect(parseRetryAfterMs({ 'x-acs-retry-after': '1500' }, now)).toBe(1500);
    expect(parseRetryAfterMs({ 'x-acs-retry-after': '2000', 'retry-after': '9' }, now)).toBe(2000);
    expect(parseRetryAfterMs({ 'retry-after-ms': '150', 'x-acs-retry-after': '2000' }, now)).toBe(150);
    expect(parseRetryAfterMs({ 'x-acs-retry-after': '0' }, now)).toBe(0);
    expect(parseRetryAfterMs({ 'x-acs-retry-after': 'later', 'retry-after': '3' }, now)).toBe(3000);
    expect(parseRetryAfterMs({ 'x-acs-retry-after': '-5', 'retry-after': '1' }, now)).toBe(1000);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfterMs({}, now)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after-ms': 'x', 'retry-after': '1' }, now)).toBe(1000);
  });
});
