// Helpers the bench sections share: generated files, RSS sampling, the quick flag and the one way a section reports.
// The section interface is described in bench/README.md.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const resultsDir = join(benchDir, 'results');

/**
 * The window margin (`createMemoryStore({ windowMarginMs })`) a batch section's calibration run uses: the libraries'
 * default, meant for real networks, wide enough that the calibration itself meets no 429.
 */
export const calibrationWindowMarginMs = 100;

/** The margin set by `BENCH_WINDOW_MARGIN_MS`, or undefined: then each batch section calibrates its own. */
export const fixedWindowMarginMs =
  process.env.BENCH_WINDOW_MARGIN_MS === undefined ? undefined : Number(process.env.BENCH_WINDOW_MARGIN_MS);

/**
 * The window margin a batch section gives its limiter, chosen from a measurement: each window is held this much longer
 * than the service's so that calls the client lets go also arrive within the quota. On loopback it only has to cover
 * the jitter of the client-to-emulator delay, which the section measures in a calibration run (`dispatchDelays`'s
 * `neededMarginMs`, the largest of the quotas that bind): twice that, rounded up to 5 ms, at least 20 ms (a 429
 * costs the whole key a second's pause, a few ms of margin cost 0.2 % a window) and at most
 * {@link calibrationWindowMarginMs}. `BENCH_WINDOW_MARGIN_MS` fixes it instead.
 */
export function chooseWindowMargin(neededMarginMs) {
  if (fixedWindowMarginMs !== undefined) return fixedWindowMarginMs;
  const doubled = Math.ceil((2 * neededMarginMs) / 5) * 5;
  return Math.min(calibrationWindowMarginMs, Math.max(20, Number.isFinite(doubled) ? doubled : 100));
}

/** True under `pnpm bench --quick`: small sizes, one round; the figures are printed, never compared. */
export const isQuick = process.env.BENCH_QUICK === '1';

/** The file sizes a section measures: 30 MiB, 300 MiB and 1 GiB, or `quickSizes` under `--quick`. */
export function fileSizes(quickSizes = [4 << 20, 32 << 20]) {
  return isQuick ? quickSizes : [30 << 20, 300 << 20, 1 << 30];
}

/** How many rounds to measure: `full`, or one under `--quick`. */
export const roundCount = (full) => (isQuick ? 1 : full);

/**
 * A fresh folder under the temp folder (`bench-<name>-XXXXXX`) for a section's generated inputs; `remove()` deletes it
 * and everything in it. `generate(sizeBytes)` writes a generated file of that size into it and returns its path:
 * pseudo-random bytes (`.bin`), or printable text (`.txt`) with `{ text: true }`. `write(name, text)` writes a small
 * file of that name and text into it and returns its path.
 */
export function benchFolder(name) {
  const path = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  return {
    path,
    async generate(sizeBytes, { text = false } = {}) {
      const file = join(path, `${sizeBytes}.${text ? 'txt' : 'bin'}`);
      await (text ? writeTextFile : writeGeneratedFile)(file, sizeBytes);
      return file;
    },
    write(fileName, text) {
      const file = join(path, fileName);
      writeFileSync(file, text);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Writes `sizeBytes` of printable ASCII text (valid UTF-8, as file-extract .txt needs), in 1 MiB blocks. */
export async function writeTextFile(path, sizeBytes) {
  const handle = await open(path, 'w');
  const line =
    'The quick brown fox jumps over the lazy dog; 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghij.\n';
  const block = Buffer.from(line.repeat(Math.ceil((1 << 20) / line.length))).subarray(0, 1 << 20);
  try {
    for (let written = 0; written < sizeBytes; written += block.length) {
      await handle.write(block, 0, Math.min(block.length, sizeBytes - written));
    }
  } finally {
    await handle.close();
  }
}

/**
 * Runs an ES module's source in a child Node process that prints one JSON line once it is ready and exits when its
 * stdin ends. Resolves with that line parsed (`info`), the child, and `stop()` (ends stdin, waits for the exit, kills the
 * child if it has not exited within 10 s).
 */
export function startChild(source) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    const onExit = (code) => reject(new Error(`child process exited ${code} before it was ready`));
    child.once('exit', onExit);
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (!text.includes('\n')) return;
      child.stdout.removeAllListeners('data');
      child.off('exit', onExit);
      resolve({
        info: JSON.parse(text.split('\n')[0]),
        child,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.stdin.end();
          const timer = setTimeout(() => child.kill(), 10_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

/**
 * Starts the emulator (@x/emulator, from its dist/) in a child process of its own, so this process's figures are the
 * client's, with `options` for `createEmulator` (plain JSON). Resolves with its `url`, `account` (`apiKey`,
 * `accessKeyId`, `accessKeySecret`, `workspaceId`) and `stop()`, which closes it (it removes its data folder).
 */
export async function startEmulator(options = {}) {
  const emulatorModule = pathToFileURL(join(benchDir, '../packages/emulator/dist/index.js')).href;
  const started = await startChild(`
import { createEmulator } from ${JSON.stringify(emulatorModule)};
const emulator = await createEmulator(${JSON.stringify(options)});
process.stdout.write(JSON.stringify({ url: emulator.url, account: emulator.account }) + '\\n');
process.stdin.on('end', () => emulator.close().then(() => process.exit(0)));
process.stdin.resume();
`);
  return { ...started.info, child: started.child, stop: started.stop };
}

/**
 * The calls the emulator recorded for one route (`AddFile`), or for every route when `route` is left out:
 * `{ route, status, startedAtMs, … }` each. `startedAtMs` is the emulator's `Date.now()` when the request's headers
 * arrived, on the same clock as this process's `Date.now()`.
 */
export async function emulatorCalls(url, route) {
  const query = route === undefined ? '' : `?route=${encodeURIComponent(route)}`;
  const response = await fetch(`${url}/__emulator/calls${query}`);
  if (!response.ok) throw new Error(`emulator calls: ${response.status}`);
  const { calls } = await response.json();
  return calls;
}

/** What the emulator holds (`GET /__emulator/state`): `dashscope.objects`, `files.files`, `bailian.…`. */
export async function emulatorState(url) {
  const response = await fetch(`${url}/__emulator/state`);
  if (!response.ok) throw new Error(`emulator state: ${response.status}`);
  return response.json();
}

/**
 * Wraps a limiter (the transport's `{ acquire, penalize? }`, plus `close()`) so that the moment each call it lets go
 * under a key starting with `<quota>:` is recorded (`Date.now()`, fractional): `dispatches.get(quota)` is that list,
 * in admission order. The transport sends the call right after `acquire` resolves.
 */
export function recordDispatches(limiter, quotas) {
  const dispatches = new Map(quotas.map((quota) => [quota, []]));
  const origin = performance.timeOrigin;
  return {
    dispatches,
    limiter: {
      async acquire(key, options) {
        const release = await limiter.acquire(key, options);
        dispatches.get(key.slice(0, key.indexOf(':')))?.push(origin + performance.now());
        return release;
      },
      penalize: limiter.penalize && ((key, retryAfterMs) => limiter.penalize(key, retryAfterMs)),
      close: async () => limiter.close?.(),
    },
  };
}

/**
 * How late calls arrived at the emulator after the client let them go, and how much window margin that needed.
 * Both lists are sorted and paired in order (the k-th dispatch with the k-th arrival). A client that lets call k + limit
 * go at least `intervalMs + margin` after call k keeps every arrival window within the quota when
 * margin >= delay(k) - delay(k + limit) for every k: `neededMarginMs` is the largest such difference (0 when every
 * window's calls were as late as the previous window's). `spreadMs` (slowest minus fastest) bounds it from above.
 * `closestGapMs` is what happened at the emulator: the least time between arrival k and arrival k + limit (at least
 * 1000 for a 1-s window means no window held more than `limit` calls). It is above 1000 + the margin when the
 * client let calls go later than the limiter allowed (a busy event loop), which the needed margin does not count on.
 */
export function dispatchDelays(dispatchMs, arrivalMs, limit) {
  const sent = [...dispatchMs].sort((a, b) => a - b);
  const arrived = [...arrivalMs].sort((a, b) => a - b);
  const count = Math.min(sent.length, arrived.length);
  const delays = Array.from({ length: count }, (_, index) => arrived[index] - sent[index]);
  let neededMarginMs = 0;
  for (let index = 0; index + limit < count; index += 1) {
    neededMarginMs = Math.max(neededMarginMs, delays[index] - delays[index + limit]);
  }
  let closestGapMs = Number.POSITIVE_INFINITY;
  for (let index = 0; index + limit < arrived.length; index += 1) {
    closestGapMs = Math.min(closestGapMs, arrived[index + limit] - arrived[index]);
  }
  const ordered = [...delays].sort((a, b) => a - b);
  const at = (fraction) => ordered[Math.min(count - 1, Math.floor(fraction * count))] ?? Number.NaN;
  return {
    count,
    isPaired: sent.length === arrived.length,
    minMs: at(0),
    medianMs: at(0.5),
    p99Ms: at(0.99),
    maxMs: ordered.at(-1) ?? Number.NaN,
    spreadMs: count > 0 ? ordered.at(-1) - ordered[0] : Number.NaN,
    neededMarginMs,
    closestGapMs,
  };
}

/** The arrival times (`startedAtMs`) of recorded calls, sorted; with `{ accepted: true }` only those not answered 429. */
export function arrivalTimes(calls, { accepted = false } = {}) {
  return calls
    .filter((call) => !accepted || call.status !== 429)
    .map((call) => call.startedAtMs)
    .sort((a, b) => a - b);
}

/** How many of the recorded calls the emulator answered 429. */
export const count429s = (calls) => calls.filter((call) => call.status === 429).length;

/**
 * Accepted calls (status not 429) against seconds since the first call's arrival, for a chart: at most ~100 points.
 */
export function acceptedOverTime(calls) {
  const arrivals = arrivalTimes(calls);
  const accepted = arrivalTimes(calls, { accepted: true });
  const step = Math.max(1, Math.ceil(accepted.length / 100));
  const points = [[0, 0]];
  for (let index = step - 1; index < accepted.length; index += step) {
    points.push([+((accepted[index] - arrivals[0]) / 1000).toFixed(3), index + 1]);
  }
  if (accepted.length > 0 && points.at(-1)[1] !== accepted.length) {
    points.push([+((accepted.at(-1) - arrivals[0]) / 1000).toFixed(3), accepted.length]);
  }
  return points;
}

/** The most calls that arrived in any window [t, t + windowMs) (sorted arrival times in ms). */
export function maxInWindow(sorted, windowMs) {
  let max = 0;
  let first = 0;
  for (let index = 0; index < sorted.length; index += 1) {
    while (sorted[index] - sorted[first] >= windowMs) first += 1;
    max = Math.max(max, index - first + 1);
  }
  return max;
}

/**
 * Runs every client `rounds` times, interleaved, and returns each one's samples by name. The order rotates each round
 * (with three clients and three rounds, each runs once in every position), and the disk's dirty pages are written back
 * (`sync`) and the heap collected before every run, so no client pays for the page cache writeback or garbage that
 * the one before it left.
 */
export async function interleavedRounds(clients, rounds) {
  const entries = Object.entries(clients);
  const samples = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    const shift = round % entries.length;
    for (const [name, run] of [...entries.slice(shift), ...entries.slice(0, shift)]) {
      execFileSync('sync');
      globalThis.gc?.();
      samples[name].push(await run());
    }
  }
  return samples;
}

/**
 * Runs curl (`-sS --fail -H Expect:` and `args`) under /usr/bin/time: wall time, its stdout, and curl's whole-process
 * peak RSS in bytes (%M). Throws naming `how` when curl fails.
 */
export async function runCurl(how, args) {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', 'curl', '-sS', '--fail', '-H', 'Expect:', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'close');
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${how} exited ${code}: ${stderr}`);
  return { ms, stdout, peakRssBytes: Number(stderr.trim().split('\n').at(-1)) * 1024 };
}

/** Writes `sizeBytes` of pseudo-random bytes (xorshift, 1 MiB chunks) to `path`. */
export async function writeGeneratedFile(path, sizeBytes) {
  const handle = await open(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  let state = 0x2545f491;
  try {
    for (let written = 0; written < sizeBytes; written += chunk.length) {
      for (let offset = 0; offset < chunk.length; offset += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        chunk.writeInt32LE(state | 0, offset);
      }
      await handle.write(chunk, 0, Math.min(chunk.length, sizeBytes - written));
    }
  } finally {
    await handle.close();
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN where it cannot be read. */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Samples this process's RSS every `intervalMs`; `stop()` returns the peak growth over the starting RSS, in bytes. */
export function sampleRss(intervalMs = 5) {
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  return {
    baseline,
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak - baseline;
    },
  };
}

export const mib = (bytes) => bytes / (1 << 20);
/** Milliseconds as seconds with two decimals: `12.34`. */
export const seconds = (ms) => (ms / 1000).toFixed(2);
/** Milliseconds with one decimal, or '' when not a finite number. */
export const milliseconds = (ms) => (Number.isFinite(ms) ? ms.toFixed(1) : '');
export const mbPerSecond = (bytes, ms) => bytes / 1e6 / (ms / 1000);
/** `1 GiB`, `300 MiB`, `512 KiB` */
export const sizeLabel = (bytes) =>
  bytes >= 1 << 30 && bytes % (1 << 30) === 0
    ? `${bytes / (1 << 30)} GiB`
    : bytes >= 1 << 20
      ? `${+(bytes / (1 << 20)).toFixed(1)} MiB`
      : `${+(bytes / 1024).toFixed(1)} KiB`;
/** A ratio with two decimals, or '' when either side is missing. */
export const ratio = (ours, reference) =>
  Number.isFinite(ours) && Number.isFinite(reference) && reference !== 0 ? (ours / reference).toFixed(2) : '';

/** The machine a figure was measured on. */
export function machine() {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpu: cpuList[0]?.model?.trim() ?? 'unknown',
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    date: new Date().toISOString(),
  };
}

/**
 * Reports a section's results. The runner (bench/run.mjs) passes BENCH_RESULT_FILE and merges every section into
 * bench/results/latest.{json,md} with its charts; run directly, a section writes bench/results/sections/<name>.json.
 * @param {import('./section.d.ts').SectionResult} section
 */
export function reportSection(section) {
  const result = { ...section, machine: machine(), isQuick };
  const file =
    process.env.BENCH_RESULT_FILE ??
    join(resultsDir, 'sections', `${section.name ?? basename(process.argv[1], '.bench.mjs')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  for (const table of section.tables ?? []) console.log(`\n${markdownTable(table)}`);
}

/** A markdown table of `{ title?, columns, rows, note? }`. */
export function markdownTable({ title, columns, rows, note }) {
  const lines = [
    ...(title ? [`### ${title}`, ''] : []),
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((column) => String(row[column] ?? '')).join(' | ')} |`),
  ];
  if (note) lines.push('', note);
  return lines.join('\n');
}
