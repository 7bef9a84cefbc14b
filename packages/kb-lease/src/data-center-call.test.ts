import { describe, expect, it } from 'vitest';
import { isThrottlingCode, isTransientServiceCode } from './data-center-call.js';

describe('the Codes of a Success: false answer (spec §7)', () => {
  it('takes InternalError, ServiceUnavailable (namespaced too) and any Throttling code for transient, and nothing else', () => {
    for (const code of [
      'InternalError',
      'ServiceUnavailable',
      'DataCenter.InternalError',
      'DataCenter.Throttling',
      'Throttling.User',
    ]) {
      expect(isTransientServiceCode(code), code).toBe(true);
    }
    for (const code of [
      undefined,
      'InvalidParameter',
      'DataCenter.FileTooLarge',
      'Index.NoWorkspacePermissions',
      'SignatureDoesNotMatch',
      'InvalidAccessKeyId.NotFound',
      'InternalError.Algo.InvalidParameter',
      'InternalErrorX',
    ]) {
      expect(isTransientServiceCode(code), String(code)).toBe(false);
    }
    expect(isThrottlingCode('DataCenter.Throttling')).toBe(true);
    expect(isThrottlingCode('InternalError')).toBe(false);
  });
});
