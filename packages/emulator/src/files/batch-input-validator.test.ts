import { Readable } from 'node:stream';
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
async function validate(
  content: string | Buffer,
  size: number,
  lineMaxBytes = 1 << 20,
  filterBytes?: number,
): Promise<string | undefined> {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const validator = createBatchInputValidator({
    lineMaxBytes,
    reread: () => Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]),
    ...(filterBytes === undefined ? {} : { filterBytes }),
  });
  for (let start = 0; start < bytes.length; start += size)
    validator.write(bytes.subarray(start, start + size));
  return validator.finish();
}

describe('createBatchInputValidator', () => {
  const valid = `${line('a')}\n${line('b')}\n${line('c')}`;

  it.each([1, 2, 3, 7, 64, 1 << 16])('accepts a valid file fed in chunks of %i bytes', async (size) => {
    expect(await validate(valid, size)).toBeUndefined();
    expect(await validate(`${valid}\n`, size)).toBeUndefined();
    expect(await validate(`${valid}\r\n\r\n`, size)).toBeUndefined();
  });

  it.each([1, 5, 1 << 16])('finds the first bad line across chunks of %i bytes', async (size) => {
    expect(await validate(`${line('a')}\n${line('b').replace('POST', 'PUT')}\n${line('a')}`, size)).toBe(
      'line 2: "method" must be "POST"',
    );
    expect(await validate(`${line('a')}\n${line('a')}`, size)).toBe('line 2: "custom_id" "a" repeats line 1');
  });

  it('reports invalid UTF-8 with its line', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${line('a')}\n{"custom_id":"`),
      Buffer.from([0xc3]),
      Buffer.from('"}'),
    ]);
    expect(await validate(bytes, 3)).toBe('line 2 is not valid UTF-8');
  });

  it('reports a line longer than the limit without holding it', async () => {
    const long = line('x'.repeat(500));
    expect(await validate(`${line('a')}\n${long}\n`, 64, 200)).toBe('line 2 is longer than 200 bytes');
    expect(await validate(`${line('a')}\n${long}`, 1 << 16, 200)).toBe('line 2 is longer than 200 bytes');
    expect(await validate(`${long}\n`, 1 << 16, Buffer.byteLength(long))).toBeUndefined();
  });

  it('refuses blank lines between requests and a file without requests', async () => {
    expect(await validate(`${line('a')}\n   \n${line('b')}`, 4)).toBe('line 2 is empty');
    expect(await validate('', 4)).toBe('the file contains no requests');
    expect(await validate(' \n\n', 4)).toBe('the file contains no requests');
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
  ])('refuses %s', async (content, problem) => {
    expect(await validate(content, 8)).toBe(problem);
  });
});

describe('createBatchInputValidator: custom_id uniqueness in bounded memory', () => {
  const lines = (count: number, prefix = 'r') =>
    Array.from({ length: count }, (_, index) => line(`${prefix}${index}`));

  it('confirms suspected repeats on a second pass, even when a tiny filter suspects almost every line', async () => {
    const unique = lines(2000).join('\n');
    // 4 bytes = 32 bits for 2000 ids: nearly every id is a false positive, and none is a repeat.
    expect(await validate(unique, 4096, 1 << 20, 4)).toBeUndefined();
    const repeated = [...lines(1500), line('r7'), ...lines(10, 'z')].join('\n');
    expect(await validate(repeated, 4096, 1 << 20, 4)).toBe('line 1501: "custom_id" "r7" repeats line 8');
    expect(await validate(repeated, 4096)).toBe('line 1501: "custom_id" "r7" repeats line 8');
  });

  /** Validates `content` with a counted `reread`; returns the verdict and how many times the file was read again. */
  async function validateCounting(content: string, filterBytes: number, maxHeldIdCharacters?: number) {
    const bytes = Buffer.from(content);
    let rereads = 0;
    const validator = createBatchInputValidator({
      lineMaxBytes: 1 << 20,
      filterBytes,
      ...(maxHeldIdCharacters === undefined ? {} : { maxHeldIdCharacters }),
      reread: () => {
        rereads += 1;
        return Readable.from([bytes]);
      },
    });
    for (let start = 0; start < bytes.length; start += 65_536)
      validator.write(bytes.subarray(start, start + 65_536));
    return { problem: await validator.finish(), rereads };
  }

  it('still finds a repeat that comes after the suspects outgrew maxHeldIdCharacters, in bounded partitions', async () => {
    const unique = lines(2000);
    const idCharacters = unique.reduce((sum, _, index) => sum + `r${index}`.length, 0);
    // A 32-bit filter suspects nearly every id: the suspects pass 1000 characters long before the repeat.
    const repeated = await validateCounting([...unique, line('r7')].join('\n'), 4, 1000);
    expect(repeated.problem).toBe('line 2001: "custom_id" "r7" repeats line 8');
    // Each read held at most 1000 characters of ids, so it took at least this many reads; and no more than twice
    // the partitions sized at half the bound.
    expect(repeated.rereads).toBeGreaterThanOrEqual(Math.ceil(idCharacters / 1000));
    expect(repeated.rereads).toBeLessThanOrEqual(2 * 2 ** Math.ceil(Math.log2(idCharacters / 500)));
    const clean = await validateCounting(unique.join('\n'), 4, 1000);
    expect(clean.problem).toBeUndefined();
    expect(clean.rereads).toBeGreaterThanOrEqual(Math.ceil(idCharacters / 1000));
    // Within the bound, one confirming read is enough.
    expect(await validateCounting([...unique, line('r7')].join('\n'), 4)).toEqual({
      problem: 'line 2001: "custom_id" "r7" repeats line 8',
      rereads: 1,
    });
  });

  it('finds a repeat past the default bound of 4 Mi suspected characters', async () => {
    // 1100 ids of 4000 characters: 4.4 Mi characters, all suspected by a 32-bit filter, then one repeat.
    const ids = Array.from(
      { length: 1100 },
      (_, index) => `${String(index).padStart(6, '0')}${'x'.repeat(3994)}`,
    );
    const content = [...ids.map((id) => line(id)), line(ids[3] ?? '')].join('\n');
    const { problem, rereads } = await validateCounting(content, 4);
    expect(problem).toBe(`line 1101: "custom_id" "${ids[3]}" repeats line 4`);
    expect(rereads).toBeGreaterThanOrEqual(2);
    expect(rereads).toBeLessThanOrEqual(16);
  });

  it('reports the earlier of a repeat and another problem, as a single pass would', async () => {
    const repeatFirst = [line('a'), line('b'), line('a'), line('c').replace('POST', 'GET')].join('\n');
    expect(await validate(repeatFirst, 7)).toBe('line 3: "custom_id" "a" repeats line 1');
    const problemFirst = [line('a'), line('b').replace('POST', 'GET'), line('a')].join('\n');
    expect(await validate(problemFirst, 7)).toBe('line 2: "method" must be "POST"');
    const both = [line('a'), line('a').replace('POST', 'GET')].join('\n');
    expect(await validate(both, 7)).toBe('line 2: "custom_id" "a" repeats line 1');
  });

  it('keeps heap and buffer growth under 64 MiB for 1.5 million short lines', {
    timeout: 120_000,
  }, async () => {
    const lineCount = 1_500_000;
    const linesPerChunk = 1000;
    /** The file, generated chunk by chunk as it streams: never whole in memory. One repeat near the end. */
    function* chunks(): Generator<Buffer> {
      for (let first = 0; first < lineCount; first += linesPerChunk) {
        let text = '';
        for (let index = first; index < first + linesPerChunk; index += 1) {
          const customId =
            index === lineCount - 1 ? 'request-0000042' : `request-${String(index).padStart(7, '0')}`;
          text += `{"custom_id":"${customId}","method":"POST","url":"/v1/chat/completions","body":{"model":"qwen-plus"}}\n`;
        }
        yield Buffer.from(text);
      }
    }
    const used = () => {
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    // Collect what earlier tests left behind, so the baseline is what is live (the config passes --expose-gc).
    globalThis.gc?.();
    const baselineBytes = used();
    let peakBytes = baselineBytes;
    const validator = createBatchInputValidator({
      lineMaxBytes: 1 << 20,
      reread: () => Readable.from(chunks()),
    });
    let sentBytes = 0;
    for (const chunk of chunks()) {
      validator.write(chunk);
      sentBytes += chunk.length;
      peakBytes = Math.max(peakBytes, used());
    }
    const problem = await validator.finish();
    peakBytes = Math.max(peakBytes, used());
    const growthMiB = (peakBytes - baselineBytes) / 1024 ** 2;
    console.log(
      `${lineCount} lines, ${(sentBytes / 1024 ** 2).toFixed(0)} MiB: peak heap growth ${growthMiB.toFixed(1)} MiB`,
    );
    expect(problem).toBe(`line ${lineCount}: "custom_id" "request-0000042" repeats line 43`);
    expect(growthMiB).toBeLessThan(64);
  });
});
