import { describe, expect, it } from 'vitest';
import { redactPath } from './call-record.js';

describe('redactPath', () => {
  it('hides secret query values and keeps the rest as sent', () => {
    expect(redactPath('/dir/a%20b.pdf?OSSAccessKeyId=id&Expires=1700000000&Signature=Qky%3D')).toBe(
      '/dir/a%20b.pdf?OSSAccessKeyId=id&Expires=1700000000&Signature=***',
    );
    expect(redactPath('/x?security-token=abc&x-oss-signature=def&SecurityToken=g&keep=1')).toBe(
      '/x?security-token=***&x-oss-signature=***&SecurityToken=***&keep=1',
    );
    expect(redactPath('/plain')).toBe('/plain');
  });
});
