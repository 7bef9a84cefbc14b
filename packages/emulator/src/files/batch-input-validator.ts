/** Checks a `batch` upload line by line as it streams by, holding at most one line in memory. */
export interface BatchInputValidator {
  /** Feeds the next chunk. */
  write(chunk: Buffer): void;
  /** After the last chunk: the first problem found (`line 3: "method" must be "POST"`), or `undefined` when valid. */
  finish(): string | undefined;
}

const newline = 0x0a;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Creates a validator of the Batch input format: one JSON object a line with a unique non-empty string `custom_id`,
 * `method` `"POST"`, `url` an API path such as `/v1/chat/completions`, and `body` an object. Blank lines are allowed only
 * at the end of the file.
 *
 * @param lineMaxBytes - Longest line accepted; a longer one is reported rather than buffered.
 */
export function createBatchInputValidator(lineMaxBytes: number): BatchInputValidator {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const customIds = new Map<string, number>();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNumber = 0;
  let firstBlankLine: number | undefined;
  let requestCount = 0;
  let problem: string | undefined;

  function checkLine(bytes: Buffer): string | undefined {
    lineNumber += 1;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return `line ${lineNumber} is not valid UTF-8`;
    }
    if (text.trim() === '') {
      firstBlankLine ??= lineNumber;
      return undefined;
    }
    if (firstBlankLine !== undefined) return `line ${firstBlankLine} is empty`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return `line ${lineNumber} is not valid JSON`;
    }
    if (!isPlainObject(value)) return `line ${lineNumber} must be a JSON object`;
    const { custom_id: customId, method, url, body } = value;
    if (typeof customId !== 'string' || customId === '') {
      return `line ${lineNumber}: "custom_id" must be a non-empty string`;
    }
    const earlier = customIds.get(customId);
    if (earlier !== undefined) return `line ${lineNumber}: "custom_id" "${customId}" repeats line ${earlier}`;
    customIds.set(customId, lineNumber);
    if (method !== 'POST') return `line ${lineNumber}: "method" must be "POST"`;
    if (typeof url !== 'string' || !url.startsWith('/')) {
      return `line ${lineNumber}: "url" must be an API path such as "/v1/chat/completions"`;
    }
    if (!isPlainObject(body)) return `line ${lineNumber}: "body" must be a JSON object`;
    requestCount += 1;
    return undefined;
  }

  function takeLine(tail: Buffer): void {
    const line = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    problem = checkLine(line);
  }

  return {
    write(chunk) {
      let start = 0;
      while (problem === undefined) {
        const end = chunk.indexOf(newline, start);
        if (end === -1) break;
        if (pendingBytes + end - start > lineMaxBytes) {
          problem = `line ${lineNumber + 1} is longer than ${lineMaxBytes} bytes`;
          break;
        }
        takeLine(chunk.subarray(start, end));
        start = end + 1;
      }
      if (problem !== undefined || start === chunk.length) return;
      const rest = chunk.subarray(start);
      if (pendingBytes + rest.length > lineMaxBytes) {
        problem = `line ${lineNumber + 1} is longer than ${lineMaxBytes} bytes`;
        pending = [];
        pendingBytes = 0;
        return;
      }
      // Copy: the caller may reuse the chunk's memory.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    },
    finish() {
      if (problem === undefined && pendingBytes > 0) takeLine(Buffer.alloc(0));
      if (problem !== undefined) return problem;
      if (requestCount === 0) return 'the file contains no requests';
      return undefined;
    },
  };
}
