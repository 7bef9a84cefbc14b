import { describe, expect, it } from 'vitest';
import { ingestJobId } from './job-id.js';

describe('ingestJobId', () => {
  it('is stable, names the flow, and is never integer-like nor holds a colon', () => {
    const id = ingestJobId('kb', '/data/a.pdf', { sizeBytes: 10, mtimeMs: 1 });
    expect(id).toBe(ingestJobId('kb', '/data/a.pdf', { sizeBytes: 10, mtimeMs: 1 }));
    expect(id).toMatch(/^kb-[0-9a-f]{32}$/);
    expect(id).not.toContain(':');
    expect(Number.isInteger(Number(id))).toBe(false);
  });

  it('changes with the flow, the source and the version', () => {
    const base = ingestJobId('kb', '/data/a.pdf', { sizeBytes: 10, mtimeMs: 1 });
    expect(ingestJobId('files', '/data/a.pdf', { sizeBytes: 10, mtimeMs: 1 })).not.toBe(base);
    expect(ingestJobId('kb', '/data/b.pdf', { sizeBytes: 10, mtimeMs: 1 })).not.toBe(base);
    expect(ingestJobId('kb', '/data/a.pdf', { sizeBytes: 11, mtimeMs: 1 })).not.toBe(base);
    expect(ingestJobId('kb', '/data/a.pdf', { sizeBytes: 10, mtimeMs: 2 })).not.toBe(base);
    // With an MD5, a new mtime over the same bytes is the same version.
    expect(ingestJobId('kb', '/data/a.pdf', { md5: 'ab', sizeBytes: 10, mtimeMs: 1 })).toBe(
      ingestJobId('kb', '/data/a.pdf', { md5: 'ab', sizeBytes: 10, mtimeMs: 2 }),
    );
  });

  it('refuses a flow name that could break the id', () => {
    expect(() => ingestJobId('k:b', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_FLOW_NAME' }));
    expect(() => ingestJobId('123', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_FLOW_NAME' }));
  });
});
