import { describe, expect, it } from 'vitest';
import { leaseIssuedAtMs, parseCreateTime } from './add-file-once.js';
import { hintFor } from './data-center-call.js';

describe('matching a lookup to its lease', () => {
  it('reads the lease time from FileUploadLeaseId and CreateTime as UTC+8 (spec §3.1, §3.4)', () => {
    expect(leaseIssuedAtMs('1e6a159107384782be5e45ac4759b247.1719325231035')).toBe(1719325231000);
    expect(leaseIssuedAtMs('no-time')).toBeUndefined();
    expect(parseCreateTime('2024-06-25 22:20:31')).toBe(Date.UTC(2024, 5, 25, 14, 20, 31));
    expect(parseCreateTime('yesterday')).toBeUndefined();
  });
});

describe('seed 000 FAQ hints', () => {
  it('names the cause of each documented error', () => {
    expect(hintFor('InvalidParameter', 'Access to your uploaded file failed. Please check...')).toMatch(
      /upload step/,
    );
    expect(hintFor('Index.NoWorkspacePermissions', undefined)).toMatch(/WorkspaceId.*member/);
    expect(hintFor('InvalidAccessKeyId.NotFound', 'The specified access key is not found')).toMatch(
      /AccessKey/,
    );
    expect(hintFor('InvalidParameter', 'Required parameter(LeaseId) missing')).toBeUndefined();
  });

  it('speaks to the user: no citation of documents the user does not have', () => {
    for (const [code, message] of [
      ['InvalidParameter', 'Access to your uploaded file failed.'],
      ['Index.NoWorkspacePermissions', undefined],
      ['InvalidAccessKeyId.NotFound', undefined],
    ] as const) {
      expect(hintFor(code, message)).not.toMatch(/seed|spec|FAQ/);
    }
  });
});
