import { describe, expect, it } from 'vitest';
import { createBatchInputValidator } from './batch-input-validator.js';

const line = (customId: string) =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { note: 'é中🙂' },
  });

/** Feeds `content` in chunks of `size` bytes, so lines and characters straddle chunk boundaries. */
function validate(content: string | Buffer, size: number, lineMaxBytes = 1 << 20): string | undefined {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const validator = createBatchInputValidator(lineMaxBytes);
  for (let start = 0; start < bytes.length; start += size)
    validator.write(bytes.subarray(start, start + size));
  return validator.finish();
}

describe('createBatchInputValidator', () => {
  const valid = `${line('a')}\n${line('b')}\n${line('c')}`;

  it.each([1, 2, 3, 7, 64, 1 << 16])('accepts a valid file fed in chunks of %i bytes', (size) => {
    expect(validate(valid, size)).toBeUndefined();
    expect(validate(`${valid}\n`, size)).toBeUndefined();
    expect(validate(`${valid}\r\n\r\n`, size)).toBeUndefined();
  });

  it.each([1, 5, 1 << 16])('finds the first bad line across chunks of %i bytes', (size) => {
    expect(validate(`${line('a')}\n${line('b').replace('POST', 'PUT')}\n${line('a')}`, size)).toBe(
      'line 2: "method" must be "POST"',
    );
    expect(validate(`${line('a')}\n${line('a')}`, size)).toBe('line 2: "custom_id" "a" repeats line 1');
  });

  it('reports invalid UTF-8 with its line', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${line('a')}\n{"custom_id":"`),
      Buffer.from([0xc3]),
      Buffer.from('"}'),
    ]);
    expect(validate(bytes, 3)).toBe('line 2 is not valid UTF-8');
  });

  it('reports a line longer than the limit without holding it', () => {
    const long = line('x'.repeat(500));
    expect(validate(`${line('a')}\n${long}\n`, 64, 200)).toBe('line 2 is longer than 200 bytes');
    expect(validate(`${line('a')}\n${long}`, 1 << 16, 200)).toBe('line 2 is longer than 200 bytes');
    expect(validate(`${long}\n`, 1 << 16, Buffer.byteLength(long))).toBeUndefined();
  });

  it('refuses blank lines between requests and a file without requests', () => {
    expect(validate(`${line('a')}\n   \n${line('b')}`, 4)).toBe('line 2 is empty');
    expect(validate('', 4)).toBe('the file contains no requests');
    expect(validate(' \n\n', 4)).toBe('the file contains no requests');
  });

  it.each([
    [
      '{"custom_id":"","method":"POST","url":"/v1/x","body":{}}',
      'line 1: "custom_id" must be a non-empty string',
    ],
    [
      '{"custom_id":1,"method":"POST","url":"/v1/x","body":{}}',
      'line 1: "custom_id" must be a non-empty string',
    ],
    ['{"custom_id":"a","url":"/v1/x","body":{}}', 'line 1: "method" must be "POST"'],
    ['{"custom_id":"a","method":"post","url":"/v1/x","body":{}}', 'line 1: "method" must be "POST"'],
    [
      '{"custom_id":"a","method":"POST","url":"v1/x","body":{}}',
      'line 1: "url" must be an API path such as "/v1/chat/completions"',
    ],
    ['{"custom_id":"a","method":"POST","url":"/v1/x","body":null}', 'line 1: "body" must be a JSON object'],
    ['{"custom_id":"a","method":"POST","url":"/v1/x","body":[]}', 'line 1: "body" must be a JSON object'],
    ['{"custom_id":"a","method":"POST","url":"/v1/x"', 'line 1 is not valid JSON'],
    ['"text"', 'line 1 must be a JSON object'],
  ])('refuses %s', (content, problem) => {
    expect(validate(content, 8)).toBe(problem);
  });
});
