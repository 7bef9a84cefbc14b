import { InvalidInputError } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { checkId } from './check-id.js';

describe('checkId', () => {
  it('takes the documented forms (spec §3.3, §3.7)', () => {
    for (const [kind, value] of [
      ['FileId', 'file_9a65732555b54d5ea10796ca5742ba22_10024405'],
      ['CategoryId', 'cate_cdd11b1b79a74e8bbd675c356a91ee3510024405'],
      ['CategoryId', 'default'],
      ['IndexId', 'jkurxhju6b'],
      ['JobId', '7a2c1f5e9b3d4c8e'],
    ] as const) {
      expect(() => checkId(kind, value)).not.toThrow();
    }
  });

  it.each([
    ['FileId', '../../x', 'INVALID_FILE_ID'],
    ['FileId', 'file_1/', 'INVALID_FILE_ID'],
    ['FileId', '', 'INVALID_FILE_ID'],
    ['CategoryId', 'cate x', 'INVALID_CATEGORY_ID'],
    ['IndexId', 'idx?a=b', 'INVALID_INDEX_ID'],
    ['JobId', 'job%2F1', 'INVALID_JOB_ID'],
    ['JobId', 'j'.repeat(129), 'INVALID_JOB_ID'],
  ] as const)('refuses %s %j with %s, naming the value', (kind, value, code) => {
    const error = (() => {
      try {
        checkId(kind, value);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(InvalidInputError.isInstance(error) && error.code).toBe(code);
    expect((error as Error).message).toContain(JSON.stringify(value.length > 200 ? '' : value).slice(0, 20));
  });

  it('names the type of a value that is not a string', () => {
    expect(() => checkId('FileId', 42)).toThrow(/got number/);
  });
});
