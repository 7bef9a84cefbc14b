import { describe, expect, it } from 'vitest';
import { toCreatedTime } from './created-time.js';

describe('toCreatedTime', () => {
  it('sends a Date as yyyyMMddHHmmss in UTC+8', () => {
    expect(toCreatedTime(new Date('2025-03-06T04:30:00Z'), 'createdBefore')).toBe('20250306123000');
    expect(toCreatedTime(new Date('2025-12-31T16:00:01Z'), 'createdBefore')).toBe('20260101000001');
  });

  it('keeps the four documented forms as they are', () => {
    for (const value of ['20250306123000', '2025-11-12 10:10:10', '2025-11-12', '20251112']) {
      expect(toCreatedTime(value, 'createdAfter')).toBe(value);
    }
  });

  it('refuses other forms and impossible dates, naming the value', () => {
    for (const value of ['2025-11-12T10:10:10Z', '2025/11/12', '20251332', '2025-02-30', 'yesterday']) {
      expect(() => toCreatedTime(value, 'createdAfter')).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTIONS',
          message: expect.stringContaining(`createdAfter: "${value}"`),
        }),
      );
    }
    expect(() => toCreatedTime(new Date(Number.NaN), 'createdBefore')).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
