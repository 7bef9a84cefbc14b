import { describe, expect, it } from 'vitest';
import { redactText } from './redact.js';

describe('redactText', () => {
  it('removes known secrets wherever they appear', () => {
    expect(redactText('key sk-abcdef123 in text', ['sk-abcdef123'])).toBe('key [REDACTED] in text');
  });

  it('removes signature and token query values but keeps the rest of the URL', () => {
    expect(
      redactText(
        'https://b.oss.com/k.pdf?Expires=1&OSSAccessKeyId=AK-ID&Signature=abc%2B%3D&security-token=CAIS.x',
      ),
    ).toBe(
      'https://b.oss.com/k.pdf?Expires=1&OSSAccessKeyId=AK-ID&Signature=[REDACTED]&security-token=[REDACTED]',
    );
  });

  it('removes Bearer tokens, ACS3 signatures, header lines and OSS error echoes', () => {
    expect(redactText('Authorization: Bearer sk-live-123')).toBe('Authorization: [REDACTED]');
    expect(redactText('"Bearer sk-live-123"')).toBe('"Bearer [REDACTED]"');
    expect(redactText(`Signature=${'a'.repeat(64)}`)).toBe('Signature=[REDACTED]');
    expect(redactText('{"x-acs-security-token":"CAIS.abc"}')).toBe('{"x-acs-security-token":"[REDACTED]"}');
    expect(redactText('<SignatureProvided>abc=</SignatureProvided>')).toBe(
      '<SignatureProvided>[REDACTED]</SignatureProvided>',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(redactText('PUT /llm-ws/datacenter/file: 403 Forbidden (InvalidAccessKeyId, requestId=1)')).toBe(
      'PUT /llm-ws/datacenter/file: 403 Forbidden (InvalidAccessKeyId, requestId=1)',
    );
  });
});
