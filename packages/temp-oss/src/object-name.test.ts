import { describe, expect, it } from 'vitest';
import { maxObjectNameBytes, reserveObjectName, sanitizeObjectName } from './object-name.js';

describe('sanitizeObjectName', () => {
  it.each([
    ['cat.png', 'cat.png'],
    ['../../etc/passwd', 'etc_passwd'],
    ['C:\\Users\\me\\cat.png', 'C_Users_me_cat.png'],
    ['a b\tc.png', 'a_b_c.png'],
    ['what?#1%20+2.png', 'what_1_20_2.png'],
    ['line\nbreak\u0000.txt', 'line_break_.txt'],
    ['.hidden', 'hidden'],
    ['..', 'file'],
    ['   ', 'file'],
    ['猫 の 写真.jpg', '猫_の_写真.jpg'],
    ['e\u0301te\u0301.png', 'été.png'],
  ])('%j -> %j', (input, expected) => {
    expect(sanitizeObjectName(input)).toBe(expected);
  });

  it('cuts long names to the byte limit on a code point boundary and keeps the extension', () => {
    const name = sanitizeObjectName(`${'猫'.repeat(300)}.png`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(maxObjectNameBytes);
    expect(name.endsWith('.png')).toBe(true);
    expect(name).not.toContain('\uFFFD');
    expect(name.startsWith('猫猫')).toBe(true);
  });
});

describe('reserveObjectName', () => {
  it('keeps the first name and numbers the next ones before the extension', () => {
    const taken = new Set<string>();
    expect(
      ['cat.png', 'cat.png', 'cat.png', 'cat-1.png', 'notes'].map((name) => reserveObjectName(name, taken)),
    ).toEqual(['cat.png', 'cat-1.png', 'cat-2.png', 'cat-1-1.png', 'notes']);
    expect(reserveObjectName('notes', taken)).toBe('notes-1');
  });

  it('stays within the byte limit when numbering a name at the limit', () => {
    const taken = new Set<string>();
    const long = sanitizeObjectName(`${'a'.repeat(400)}.png`);
    reserveObjectName(long, taken);
    const second = reserveObjectName(long, taken);
    expect(second).toMatch(/-1\.png$/);
    expect(Buffer.byteLength(second)).toBeLessThanOrEqual(maxObjectNameBytes);
  });
});
