/**
 * Checks a `batch` upload line by line as it streams by, holding at most one line, a fixed-size filter and a bounded
 * number of `custom_id` characters in memory.
 */
export interface BatchInputValidator {
  /** Feeds the next chunk. */
  write(chunk: Buffer): void;
  /**
   * After the last chunk: the first problem found (`line 3: "method" must be "POST"`), or `undefined` when valid. When
   * the filter of `custom_id`s suspects a repeat, the file is read again (through `reread`) to confirm it: once in
   * the usual case, a few times when the suspects outgrow `maxHeldIdCharacters`.
   */
  finish(): Promise<string | undefined>;
}

/** Options of {@link createBatchInputValidator}. */
export interface BatchInputValidatorOptions {
  /** Longest line accepted; a longer one is reported rather than buffered. */
  readonly lineMaxBytes: number;
  /** Reads the whole file again from its first byte (the stored upload), for the second pass. */
  readonly reread: () => AsyncIterable<Buffer>;
  /**
   * Size of the filter of `custom_id` hashes, in bytes (a power of two). Memory stays at this size whatever the line
   * count; a larger filter makes a second pass rarer.
   * @default 16777216 (16 MiB)
   */
  readonly filterBytes?: number;
  /**
   * Most `custom_id` characters held at once to confirm repeats exactly: the ids the filter suspects, or, once the
   * suspects outgrow it, the ids of one hash partition of the file at a time (each partition one more read of the
   * file). Repeats are found whatever the count; past this bound it costs reads, not memory.
   * @default 4194304 (4 Mi characters)
   */
  readonly maxHeldIdCharacters?: number;
}

const newline = 0x0a;
/** Bits set per `custom_id` in the filter. */
const hashCount = 7;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let hashLow = 0;
let hashHigh = 0;

/** Two independent 32-bit hashes of a string (cyrb53's mixing), left in `hashLow` / `hashHigh`. */
function hashPair(text: string): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  hashLow = h1 >>> 0;
  hashHigh = (h2 | 1) >>> 0;
}

/** Splits chunks into lines (without the `\n`), holding at most `lineMaxBytes` of an unfinished line. */
function createLineSplitter(
  lineMaxBytes: number,
  onLine: (bytes: Buffer) => boolean,
  onTooLong: () => void,
): { write(chunk: Buffer): boolean; end(): void } {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let isStopped = false;

  function take(tail: Buffer): void {
    const line = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    if (!onLine(line)) isStopped = true;
  }

  return {
    write(chunk) {
      let start = 0;
      while (!isStopped) {
        const end = chunk.indexOf(newline, start);
        if (end === -1) break;
        if (pendingBytes + end - start > lineMaxBytes) {
          onTooLong();
          isStopped = true;
          break;
        }
        take(chunk.subarray(start, end));
        start = end + 1;
      }
      if (isStopped || start === chunk.length) return !isStopped;
      const rest = chunk.subarray(start);
      if (pendingBytes + rest.length > lineMaxBytes) {
        onTooLong();
        isStopped = true;
        pending = [];
        pendingBytes = 0;
        return false;
      }
      // Copy: the caller may reuse the chunk's memory.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
      return true;
    },
    end() {
      if (!isStopped && pendingBytes > 0) take(Buffer.alloc(0));
    },
  };
}

/**
 * Creates a validator of the Batch input format (specs/openai-files.md, seed 003): one JSON object a line with a unique
 * non-empty string `custom_id`, `method` `"POST"`, `url` an API path such as `/v1/chat/completions`, and `body` an
 * object. Blank lines are allowed only at the end of the file.
 *
 * Memory is bounded whatever the line count: uniqueness is checked against a fixed-size Bloom filter of `custom_id`
 * hashes (16 MiB by default), and only a suspected repeat is confirmed exactly, by a second pass over the stored file
 * that keeps just the suspected ids. When the suspects outgrow `maxHeldIdCharacters` (many ids the filter cannot tell
 * apart, or many real repeats), the check falls back to exact passes over hash partitions of the ids, each holding at
 * most that many characters, so a repeat is never missed and memory stays bounded; only the number of reads grows.
 *
 * @example
 * ```ts
 * const validator = createBatchInputValidator({ lineMaxBytes: 6 << 20, reread: () => createReadStream(path) });
 * for await (const chunk of upload) validator.write(chunk);
 * const problem = await validator.finish(); // 'line 2: "custom_id" "a" repeats line 1'
 * ```
 */
export function createBatchInputValidator(options: BatchInputValidatorOptions): BatchInputValidator {
  const { lineMaxBytes } = options;
  const filterBytes = options.filterBytes ?? 16 * 1024 * 1024;
  if (!(Number.isInteger(Math.log2(filterBytes)) && filterBytes >= 4 && filterBytes <= 256 * 1024 * 1024)) {
    throw new RangeError(`filterBytes must be a power of two between 4 and 268435456, got ${filterBytes}`);
  }
  const filterBits = filterBytes * 8;
  const maxHeldIdCharacters = options.maxHeldIdCharacters ?? 4 * 1024 * 1024;
  if (!(Number.isInteger(maxHeldIdCharacters) && maxHeldIdCharacters >= 1)) {
    throw new RangeError(`maxHeldIdCharacters must be a positive integer, got ${maxHeldIdCharacters}`);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let filter: Uint32Array | undefined;
  const suspects = new Set<string>();
  let suspectCharacters = 0;
  /** Set once the suspects outgrew `maxHeldIdCharacters`: repeats are then confirmed by partitions. */
  let hasOverflowed = false;
  /** Characters of every `custom_id` read, to size the partitions. */
  let idCharacters = 0;
  let lineNumber = 0;
  let firstBlankLine: number | undefined;
  let requestCount = 0;
  let problem: string | undefined;
  /** The line of `problem` (0 when the problem is about the whole file). */
  let problemLine = 0;
  let lastSuspectLine = 0;

  /** Sets the id's bits; returns true when all of them were set already (a possible repeat). */
  function addToFilter(customId: string): boolean {
    filter ??= new Uint32Array(filterBits / 32);
    hashPair(customId);
    let wasSet = true;
    for (let index = 0; index < hashCount; index += 1) {
      const bit = ((hashLow + Math.imul(index, hashHigh)) >>> 0) & (filterBits - 1);
      const word = bit >>> 5;
      const mask = 1 << (bit & 31);
      if ((filter[word]! & mask) === 0) {
        wasSet = false;
        filter[word]! |= mask;
      }
    }
    return wasSet;
  }

  function decodeLine(bytes: Buffer): string | undefined {
    try {
      return decoder.decode(bytes);
    } catch {
      return undefined;
    }
  }

  function checkLine(bytes: Buffer): string | undefined {
    lineNumber += 1;
    const text = decodeLine(bytes);
    if (text === undefined) return `line ${lineNumber} is not valid UTF-8`;
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
    idCharacters += customId.length;
    if (addToFilter(customId) && !hasOverflowed) {
      if (!suspects.has(customId)) {
        suspects.add(customId);
        suspectCharacters += customId.length;
      }
      lastSuspectLine = lineNumber;
      if (suspectCharacters > maxHeldIdCharacters) {
        hasOverflowed = true;
        suspects.clear();
      }
    }
    if (method !== 'POST') return `line ${lineNumber}: "method" must be "POST"`;
    if (typeof url !== 'string' || !url.startsWith('/')) {
      return `line ${lineNumber}: "url" must be an API path such as "/v1/chat/completions"`;
    }
    if (!isPlainObject(body)) return `line ${lineNumber}: "body" must be a JSON object`;
    requestCount += 1;
    return undefined;
  }

  const splitter = createLineSplitter(
    lineMaxBytes,
    (bytes) => {
      problem = checkLine(bytes);
      if (problem !== undefined) problemLine = lineNumber;
      return problem === undefined;
    },
    () => {
      problem = `line ${lineNumber + 1} is longer than ${lineMaxBytes} bytes`;
      problemLine = lineNumber + 1;
    },
  );

  /** A repeat found by a pass over the stored file. */
  interface Repeat {
    readonly line: number;
    readonly message: string;
  }

  /**
   * One pass over the stored file: the first line, up to `lastLine`, whose `custom_id` (among those `isHeld` keeps)
   * repeats an earlier line's. `'overflow'` when the kept ids outgrow `maxHeldIdCharacters` (only when `canOverflow`).
   */
  async function findRepeat(
    lastLine: number,
    isHeld: (customId: string) => boolean,
    canOverflow: boolean,
  ): Promise<Repeat | 'overflow' | undefined> {
    const firstSeen = new Map<string, number>();
    let heldCharacters = 0;
    let number = 0;
    let result: Repeat | 'overflow' | undefined;
    const confirm = createLineSplitter(
      lineMaxBytes,
      (bytes) => {
        number += 1;
        if (number > lastLine) return false;
        const text = decodeLine(bytes);
        if (text === undefined || text.trim() === '') return true;
        let customId: unknown;
        try {
          customId = (JSON.parse(text) as { custom_id?: unknown }).custom_id;
        } catch {
          return true;
        }
        if (typeof customId !== 'string' || customId === '' || !isHeld(customId)) return true;
        const earlier = firstSeen.get(customId);
        if (earlier !== undefined) {
          result = {
            line: number,
            message: `line ${number}: "custom_id" "${customId}" repeats line ${earlier}`,
          };
          return false;
        }
        firstSeen.set(customId, number);
        heldCharacters += customId.length;
        if (canOverflow && heldCharacters > maxHeldIdCharacters && firstSeen.size > 1) {
          result = 'overflow';
          return false;
        }
        return true;
      },
      () => {},
    );
    let isReading = true;
    for await (const chunk of options.reread()) {
      isReading = confirm.write(chunk);
      if (!isReading) break;
    }
    if (isReading) confirm.end();
    return result;
  }

  /**
   * Exact check by hash partitions, when the suspects outgrew the bound: each pass holds only the ids whose hash falls
   * in one partition (sized from the characters read so that it fits), and a partition that still outgrows the bound
   * is split in two. The earliest repeat over all partitions is the file's first repeat.
   */
  async function findRepeatByPartitions(lastLine: number): Promise<string | undefined> {
    let partitions = 1;
    while (partitions < 2 ** 30 && idCharacters / partitions > maxHeldIdCharacters / 2) partitions *= 2;
    const pending: Array<{ readonly modulus: number; readonly residue: number }> = [];
    for (let residue = 0; residue < partitions; residue += 1) pending.push({ modulus: partitions, residue });
    let earliest: Repeat | undefined;
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      const { modulus, residue } = next;
      const found = await findRepeat(
        earliest === undefined ? lastLine : earliest.line - 1,
        (customId) => {
          hashPair(customId);
          return ((hashLow >>> 0) & (modulus - 1)) === residue;
        },
        modulus < 2 ** 30,
      );
      if (found === 'overflow') {
        pending.push({ modulus: modulus * 2, residue }, { modulus: modulus * 2, residue: residue + modulus });
      } else if (found !== undefined) {
        earliest = found;
      }
    }
    return earliest?.message;
  }

  return {
    write(chunk) {
      if (problem === undefined) splitter.write(chunk);
    },
    async finish() {
      if (problem === undefined) splitter.end();
      filter = undefined;
      if (hasOverflowed) {
        const repeat = await findRepeatByPartitions(problemLine === 0 ? lineNumber : problemLine);
        if (repeat !== undefined) return repeat;
      } else if (suspects.size > 0) {
        const lastLine = problemLine === 0 ? lastSuspectLine : Math.min(problemLine, lastSuspectLine);
        const repeat = await findRepeat(lastLine, (customId) => suspects.has(customId), false);
        if (repeat !== undefined && repeat !== 'overflow') return repeat.message;
      }
      if (problem !== undefined) return problem;
      if (requestCount === 0) return 'the file contains no requests';
      return undefined;
    },
  };
}
