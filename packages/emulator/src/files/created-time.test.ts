import { describe, expect, it } from 'vitest';
import { parseCreatedTime } from './created-time.js';

describe('parseCreatedTime', () => {
  it.each([
    ['20250306123000', '2025-03-06T04:30:00.000Z'],
    ['2025-11-12 10:10:10', '2025-11-12T02:10:10.000Z'],
    ['2025-11-12', '2025-11-11T16:00:00.000Z'],
    ['20251112', '2025-11-11T16:00:00.000Z'],
    ['2024-02-29', '2024-02-28T16:00:00.000Z'],
    ['20241231235959', '2024-12-31T15:59:59.000Z'],
  ])('reads %s as UTC+8', (value, iso) => {
    expect(new Date(parseCreatedTime(value)!).toISOString()).toBe(iso);
  });

  it.each([
    '2025-02-29',
    '20251301',
    '20250230',
    '2025-11-12 24:00:00',
    '2025-11-12 10:60:00',
    '2025-11-12T10:10:10',
    '2025-11-12 10:10',
    '2025/11/12',
    '1731376210',
    '202511121',
    ' 20251112',
    '',
  ])('refuses %j', (value) => {
    expect(parseCreatedTime(value)).toBeUndefined();
  });
});
