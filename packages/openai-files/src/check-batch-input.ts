import { isUtf8 } from 'node:buffer';
import { BatchInputError } from './batch-input-error.js';

/** Options of {@link checkBatchInput}. */
export interface CheckBatchInputOptions {
  /** The file's name, for messages. */
  fileName: string;
  /** Stops the check; it rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** Longest line held in memory. @default 33554432 (32 MiB) */
  maxLineBytes?: number;
}

/** A line longer than this is refused: the checker holds one line at a time. */
const defaultMaxLineBytes = 32 * 1024 * 1024;
/** Suspected duplicates collected before a confirming pass. */
const maxSuspects = 4096;
const newline = 0x0a;
const carriageReturn = 0x0d;

interface LineProblem {
  readonly lineNumber: number;
  readonly reason: string;
}

/** The outcome of the first pass. */
interface FirstPass {
  /** The first line with a problem of its own (not a duplicate), if any. */
  readonly problem: LineProblem | undefined;
  /** Hashes of `custom_id`s seen twice (possibly a hash collision), in order. */
  readonly suspects: ReadonlySet<string>;
  /** The line the pass stopped at when it collected too many suspects. */
  readonly stoppedAtLine: number | undefined;
}

/**
 * Checks a Batch input file (seed 003, "用於Batch調用"; spec openai-files.md, "Limits") in one streaming pass: every
 * line is a JSON object with a non-empty string `custom_id` unique in the file, `method` `"POST"`, a `url` under
 * `/v1/` and an object `body`; blank lines only at the end; at least one request. Memory is bounded by the line
 * count, not the ids' text: each `custom_id` is kept as a 64-bit hash in a flat table (16 bytes a line at most), and a
 * hash seen twice is confirmed by a second pass that keeps only the suspected ids.
 *
 * @param open - Opens the file's bytes afresh; called once, or twice when a duplicate is suspected.
 * @throws {@link BatchInputError} naming the first bad line and why.
 * @throws `signal.reason` when aborted.
 * @internal
 */
export async function checkBatchInput(
  open: () => AsyncIterable<Uint8Array>,
  options: CheckBatchInputOptions,
): Promise<void> {
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  for (let seed = 0; ; seed += 1) {
    const first = await firstPass(open, seed, maxLineBytes, options.signal);
    if (first.suspects.size > 0) {
      const lastLine = first.stoppedAtLine ?? first.problem?.lineNumber ?? Number.POSITIVE_INFINITY;
      const duplicate = await confirmDuplicates(
        open,
        seed,
        first.suspects,
        lastLine,
        maxLineBytes,
        options.signal,
      );
      if (duplicate) throw new BatchInputError(options.fileName, duplicate.lineNumber, duplicate.reason);
      // Only hash collisions: what the first pass did not reach must be checked again with other hashes.
      if (first.stoppedAtLine !== undefined) continue;
    }
    if (first.problem)
      throw new BatchInputError(options.fileName, first.problem.lineNumber, first.problem.reason);
    return;
  }
}

/** Yields each line of the file (without its `\n` / `\r\n`), holding at most one line. */
async function* lines(
  open: () => AsyncIterable<Uint8Array>,
  maxLineBytes: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array | LineProblem> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let lineNumber = 0;
  const take = (tail: Uint8Array): Uint8Array => {
    let line = tail;
    if (pending.length > 0) {
      pending.push(tail);
      line = Buffer.concat(pending, pendingBytes + tail.byteLength);
      pending = [];
      pendingBytes = 0;
    }
    return line.byteLength > 0 && line[line.byteLength - 1] === carriageReturn
      ? line.subarray(0, line.byteLength - 1)
      : line;
  };
  const tooLong = (): LineProblem => ({
    lineNumber: lineNumber + 1,
    reason: `the line is longer than ${maxLineBytes} bytes`,
  });
  for await (const chunk of open()) {
    signal?.throwIfAborted();
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(newline, start);
      if (end === -1) break;
      if (pendingBytes + end - start > maxLineBytes) {
        yield tooLong();
        return;
      }
      lineNumber += 1;
      yield take(bytes.subarray(start, end));
      start = end + 1;
    }
    if (start < bytes.byteLength) {
      if (pendingBytes + bytes.byteLength - start > maxLineBytes) {
        yield tooLong();
        return;
      }
      // Copied: the source may reuse the chunk's memory.
      pending.push(Uint8Array.prototype.slice.call(bytes, start));
      pendingBytes += bytes.byteLength - start;
    }
  }
  signal?.throwIfAborted();
  if (pendingBytes > 0) yield take(new Uint8Array(0));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one line's request; a string is the reason the line is bad. */
function parseLine(bytes: Uint8Array, lineNumber: number): { customId: string } | string | undefined {
  if (!isUtf8(bytes)) return 'the line is not valid UTF-8';
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the line is not valid JSON';
  }
  if (!isPlainObject(value)) return 'the line is not a JSON object';
  const { custom_id: customId, method, url, body } = value;
  if (typeof customId !== 'string' || customId === '') return '"custom_id" must be a non-empty string';
  if (method !== 'POST') return `"method" must be "POST", got ${JSON.stringify(method) ?? 'nothing'}`;
  if (typeof url !== 'string' || !url.startsWith('/v1/')) {
    return `"url" must be a path under /v1/ such as "/v1/chat/completions", got ${JSON.stringify(url) ?? 'nothing'}`;
  }
  if (!isPlainObject(body)) return '"body" must be a JSON object';
  return { customId };
}

/** Two 32-bit FNV-1a style hashes of a string's UTF-16 code units, seeded; never both zero. */
function hashId(text: string, seed: number): [number, number] {
  let high = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  let low = (0x01000193 ^ Math.imul(seed + 1, 0x85ebca6b)) >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x5bd1e995);
    low ^= low >>> 15;
  }
  high = Math.imul(high ^ (high >>> 16), 0x85ebca6b) >>> 0;
  low = Math.imul(low ^ (low >>> 13), 0xc2b2ae35) >>> 0;
  return high === 0 && low === 0 ? [0, 1] : [high, low];
}

/** An open-addressing set of 64-bit hashes in two flat `Uint32Array`s (8 bytes a slot, at most 75 % full). */
function createHashSet() {
  let capacity = 1 << 16;
  let highs = new Uint32Array(capacity);
  let lows = new Uint32Array(capacity);
  let size = 0;
  const insert = (high: number, low: number): boolean => {
    let slot = (high ^ Math.imul(low, 0x9e3779b1)) & (capacity - 1);
    for (;;) {
      const storedHigh = highs[slot]!;
      const storedLow = lows[slot]!;
      if (storedHigh === 0 && storedLow === 0) {
        highs[slot] = high;
        lows[slot] = low;
        size += 1;
        return true;
      }
      if (storedHigh === high && storedLow === low) return false;
      slot = (slot + 1) & (capacity - 1);
    }
  };
  return {
    /** Adds the hash; false when it was already there. */
    add(high: number, low: number): boolean {
      if ((size + 1) * 4 > capacity * 3) {
        const oldHighs = highs;
        const oldLows = lows;
        capacity *= 2;
        highs = new Uint32Array(capacity);
        lows = new Uint32Array(capacity);
        size = 0;
        for (let slot = 0; slot < oldHighs.length; slot += 1) {
          if (oldHighs[slot] !== 0 || oldLows[slot] !== 0) insert(oldHighs[slot]!, oldLows[slot]!);
        }
      }
      return insert(high, low);
    },
  };
}

async function firstPass(
  open: () => AsyncIterable<Uint8Array>,
  seed: number,
  maxLineBytes: number,
  signal: AbortSignal | undefined,
): Promise<FirstPass> {
  const seen = createHashSet();
  const suspects = new Set<string>();
  let lineNumber = 0;
  let firstBlankLine: number | undefined;
  let requests = 0;
  for await (const line of lines(open, maxLineBytes, signal)) {
    if (!(line instanceof Uint8Array)) return { problem: line, suspects, stoppedAtLine: undefined };
    lineNumber += 1;
    const parsed = parseLine(line, lineNumber);
    if (parsed === undefined) {
      firstBlankLine ??= lineNumber;
      continue;
    }
    if (firstBlankLine !== undefined) {
      return {
        problem: { lineNumber: firstBlankLine, reason: 'the line is empty' },
        suspects,
        stoppedAtLine: undefined,
      };
    }
    if (typeof parsed === 'string') {
      return { problem: { lineNumber, reason: parsed }, suspects, stoppedAtLine: undefined };
    }
    requests += 1;
    const [high, low] = hashId(parsed.customId, seed);
    if (!seen.add(high, low)) {
      suspects.add(`${high}:${low}`);
      if (suspects.size >= maxSuspects) return { problem: undefined, suspects, stoppedAtLine: lineNumber };
    }
  }
  if (requests === 0) {
    return {
      problem: { lineNumber: Math.max(1, lineNumber), reason: 'the file holds no request' },
      suspects,
      stoppedAtLine: undefined,
    };
  }
  return { problem: undefined, suspects, stoppedAtLine: undefined };
}

/** Second pass: the first line whose `custom_id` really repeats an earlier one, among the suspected hashes. */
async function confirmDuplicates(
  open: () => AsyncIterable<Uint8Array>,
  seed: number,
  suspects: ReadonlySet<string>,
  lastLine: number,
  maxLineBytes: number,
  signal: AbortSignal | undefined,
): Promise<LineProblem | undefined> {
  const firstLineById = new Map<string, number>();
  let lineNumber = 0;
  for await (const line of lines(open, maxLineBytes, signal)) {
    if (!(line instanceof Uint8Array)) return undefined;
    lineNumber += 1;
    if (lineNumber > lastLine) return undefined;
    const parsed = parseLine(line, lineNumber);
    if (parsed === undefined || typeof parsed === 'string') continue;
    const [high, low] = hashId(parsed.customId, seed);
    if (!suspects.has(`${high}:${low}`)) continue;
    const earlier = firstLineById.get(parsed.customId);
    if (earlier !== undefined) {
      return { lineNumber, reason: `"custom_id" ${JSON.stringify(parsed.customId)} repeats line ${earlier}` };
    }
    firstLineById.set(parsed.customId, lineNumber);
  }
  return undefined;
}
