import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { expect, it, vi } from 'vitest';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();
const fast = { pollIntervalMs: 100, maxPollIntervalMs: 500 };

it('reads a small document once, into one buffer of its size, for its MD5 and its PUT', async () => {
  const bytes = Buffer.concat([pdfBytes('read once'), Buffer.alloc(10 * 1024, 0x20)]);
  const path = await context.file('read-once.pdf', bytes);
  const probe = await open(path, 'r');
  const prototype = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => unknown };
  await probe.close();
  const reads = vi.spyOn(prototype, 'read');
  try {
    const document = await context.client().uploadDocument(path, fast);
    expect(document.status).toBe('PARSE_SUCCESS');
    expect(document.md5).toBe(createHash('md5').update(bytes).digest('hex'));
    expect(reads).toHaveBeenCalledTimes(1);
    const [buffer] = reads.mock.calls[0] as [Uint8Array];
    expect(buffer.byteLength).toBe(bytes.byteLength);
  } finally {
    reads.mockRestore();
  }
});
