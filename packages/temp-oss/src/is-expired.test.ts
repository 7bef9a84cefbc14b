import { describe, expect, it } from 'vitest';
import { fileLifetimeMs, isExpired } from './is-expired.js';

describe('isExpired', () => {
  const uploadedAt = Date.UTC(2026, 0, 1);
  const result = { expiresAt: new Date(uploadedAt + fileLifetimeMs) };

  it('is false within 48 hours and true from then on', () => {
    expect(fileLifetimeMs).toBe(172_800_000);
    expect(isExpired(result, { now: uploadedAt + fileLifetimeMs - 1 })).toBe(false);
    expect(isExpired(result, { now: new Date(uploadedAt + fileLifetimeMs) })).toBe(true);
  });

  it('counts the margin as already expired', () => {
    expect(isExpired(result, { now: uploadedAt + fileLifetimeMs - 60_000, marginMs: 60_000 })).toBe(true);
    expect(isExpired(result, { now: uploadedAt + fileLifetimeMs - 60_001, marginMs: 60_000 })).toBe(false);
  });

  it('uses the real clock by default', () => {
    expect(isExpired({ expiresAt: new Date(Date.now() + 60_000) })).toBe(false);
    expect(isExpired({ expiresAt: new Date(Date.now() - 1) })).toBe(true);
  });
});
