import { describe, expect, it } from 'vitest';
import { hmacSha1, hmacSha256, md5Base64, md5Hex, sha256Hex } from './hash-bytes.js';

// RFC 1321, appendix A.5.
const rfc1321: ReadonlyArray<readonly [string, string]> = [
  ['', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['a', '0cc175b9c0f1b6a831c399e269772661'],
  ['abc', '900150983cd24fb0d6963f7d28e17f72'],
  ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
  ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
  [
    '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
    '57edf4a22be3c955ac49da2e2107b67a',
  ],
];

describe('md5Hex', () => {
  it.each(rfc1321)('md5(%j) matches RFC 1321', (input, expected) => {
    expect(md5Hex(input)).toBe(expected);
    expect(md5Hex(Buffer.from(input))).toBe(expected);
  });
});

describe('md5Base64', () => {
  it('gives the Content-MD5 form', () => {
    expect(md5Base64('')).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    expect(md5Base64('abc')).toBe(Buffer.from('900150983cd24fb0d6963f7d28e17f72', 'hex').toString('base64'));
  });
});

describe('sha256Hex', () => {
  it('matches FIPS 180-2 vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('hmac', () => {
  // RFC 4231 test case 2 and RFC 2202 test case 2.
  it('HMAC-SHA256 matches RFC 4231', () => {
    expect(hmacSha256('Jefe', 'what do ya want for nothing?').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
  it('HMAC-SHA1 matches RFC 2202', () => {
    expect(hmacSha1('Jefe', 'what do ya want for nothing?').toString('hex')).toBe(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
  });
});
