import { describe, expect, it } from 'vitest';
import { BatchInputError } from './batch-input-error.js';
import { checkBatchInput } from './check-batch-input.js';

const request = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'qwen-plus' },
    ...extra,
  });

/** The text as chunks of `chunkBytes`, so lines cross chunk boundaries. */
function source(text: string, chunkBytes = 7) {
  const bytes = Buffer.from(text);
  let opens = 0;
  return {
    get opens() {
      return opens;
    },
    open: async function* () {
      opens += 1;
      for (let offset = 0; offset < bytes.byteLength; offset += chunkBytes)
        yield bytes.subarray(offset, offset + chunkBytes);
    },
  };
}

async function failure(text: string): Promise<BatchInputError> {
  const error = await checkBatchInput(source(text).open, { fileName: 'in.jsonl' }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(BatchInputError.isInstance(error)).toBe(true);
  return error as BatchInputError;
}

describe('checkBatchInput', () => {
  it('accepts valid lines, CRLF endings and trailing blank lines in one pass', async () => {
    const input = source(`${request('a')}\r\n${request('b')}\n\n\n`);
    await checkBatchInput(input.open, { fileName: 'in.jsonl' });
    expect(input.opens).toBe(1);
  });

  it.each([
    ['not json', 'the line is not valid JSON'],
    ['[1,2]', 'the line is not a JSON object'],
    [JSON.stringify({ method: 'POST', url: '/v1/x', body: {} }), '"custom_id" must be a non-empty string'],
    [request('z', { method: 'GET' }), '"method" must be "POST", got "GET"'],
    [
      request('z', { url: '/api/v1/x' }),
      '"url" must be a path under /v1/ such as "/v1/chat/completions", got "/api/v1/x"',
    ],
    [request('z', { body: 'text' }), '"body" must be a JSON object'],
  ])('names the line and the reason: %s', async (line, reason) => {
    const error = await failure(`${request('a')}\n${request('b')}\n${line}\n${request('c')}\n`);
    expect(error.lineNumber).toBe(3);
    expect(error.reason).toBe(reason);
    expect(error.code).toBe('INVALID_BATCH_INPUT');
    expect(error.message).toBe(`in.jsonl is not valid Batch input: line 3: ${reason}`);
  });

  it('finds a repeated custom_id with a second pass and names both lines', async () => {
    const input = source(`${request('a')}\n${request('b')}\n${request('c')}\n${request('b')}\n`);
    const error = await checkBatchInput(input.open, { fileName: 'in.jsonl' }).catch(
      (caught: unknown) => caught,
    );
    expect((error as BatchInputError).lineNumber).toBe(4);
    expect((error as BatchInputError).reason).toBe('"custom_id" "b" repeats line 2');
    expect(input.opens).toBe(2);
  });

  it('reports the earlier of a duplicate and a later bad line', async () => {
    const error = await failure(`${request('a')}\n${request('a')}\nnot json\n`);
    expect(error.lineNumber).toBe(2);
    const later = await failure(`${request('a')}\nnot json\n${request('a')}\n`);
    expect(later.lineNumber).toBe(2);
    expect(later.reason).toBe('the line is not valid JSON');
  });

  it('refuses a blank line between requests, invalid UTF-8, an over-long line and an empty file', async () => {
    expect((await failure(`${request('a')}\n\n${request('b')}\n`)).lineNumber).toBe(2);
    const invalid = Buffer.concat([
      Buffer.from(`${request('a')}\n`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\n'),
    ]);
    expect((await failure(invalid.toString('latin1'))).reason).not.toBe('');
    const long = await checkBatchInput(source(`${request('a')}\n${request('b'.repeat(200))}\n`).open, {
      fileName: 'in.jsonl',
      maxLineBytes: 100,
    }).catch((caught: unknown) => caught as BatchInputError);
    expect(long?.lineNumber).toBe(2);
    expect(long?.reason).toBe('the line is longer than 100 bytes');
    expect((await failure('\n\n')).reason).toBe('the file holds no request');
  });

  it('accepts a last line without a newline and a UTF-8 byte order mark', async () => {
    await checkBatchInput(source(`\ufeff${request('a')}\n${request('ü')}`, 3).open, { fileName: 'in.jsonl' });
  });

  it('rethrows the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(
      checkBatchInput(source(`${request('a')}\n`).open, { fileName: 'in.jsonl', signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});
