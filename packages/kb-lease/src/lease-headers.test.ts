import { InvalidInputError } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { parseLeaseHeaders } from './lease-headers.js';

describe('parseLeaseHeaders', () => {
  it('reads the string fragment of seed 000 exactly', () => {
    const headers =
      '        "X-bailian-extra": "MTAwNTQyNjQ5NTE2OTE3OA==",\n        "Content-Type": "application/pdf"';
    expect(parseLeaseHeaders(headers)).toEqual([
      ['X-bailian-extra', 'MTAwNTQyNjQ5NTE2OTE3OA=='],
      ['Content-Type', 'application/pdf'],
    ]);
  });

  it('reads an object, a JSON string and a fragment with a trailing comma, keeping an empty Content-Type', () => {
    const expected = [
      ['X-bailian-extra', 'MTAw'],
      ['Content-Type', ''],
    ];
    expect(parseLeaseHeaders({ 'X-bailian-extra': 'MTAw', 'Content-Type': '' })).toEqual(expected);
    expect(parseLeaseHeaders('{"X-bailian-extra":"MTAw","Content-Type":""}')).toEqual(expected);
    expect(parseLeaseHeaders('"X-bailian-extra": "MTAw",\n"Content-Type": "",\n')).toEqual(expected);
  });

  it('reads escaped quotes in values and treats an absent field as no headers', () => {
    expect(parseLeaseHeaders('"A": "say \\"hi\\""')).toEqual([['A', 'say "hi"']]);
    expect(parseLeaseHeaders(undefined)).toEqual([]);
    expect(parseLeaseHeaders('')).toEqual([]);
  });

  it('refuses what is neither, naming the value', () => {
    const error = (() => {
      try {
        parseLeaseHeaders('Content-Type: text/plain');
      } catch (caught) {
        return caught;
      }
    })();
    expect(InvalidInputError.isInstance(error) && error.code).toBe('INVALID_LEASE_HEADERS');
    expect((error as Error).message).toContain('Content-Type: text/plain');
  });
});
