// Uploading generated 30 MiB, 300 MiB and 1 GiB files to the emulator's Files API (POST /compatible-mode/v1/files,
// purpose file-extract) with @x/openai-files, with the official `openai` SDK (`files.create` with a read stream) and with
// `curl -F`, side by side in one run. Each client runs in a process of its own, so one client's memory never counts
// against another; the emulator runs in a third process and accepts 2 GiB files.
// Figures: wall time, throughput (MB/s), throughput vs curl, and peak RSS growth (the Node clients: sampled every
// 5 ms above the RSS after a warm-up upload; curl: its whole-process peak from /usr/bin/time).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { mbPerSecond, mib, writeResults } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const sizes = [
  { label: '30 MiB', sizeBytes: 30 * 1024 ** 2 },
  { label: '300 MiB', sizeBytes: 300 * 1024 ** 2 },
  { label: '1 GiB', sizeBytes: 1024 ** 3 },
];
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const folder = mkdtempSync(join(tmpdir(), 'bench-openai-files-'));

const emulatorSource = `
import { createEmulator } from ${JSON.stringify(join(root, 'packages/emulator/dist/index.js'))};
const emulator = await createEmulator({
  limits: { isRateLimited: false },
  files: { processingDelayMs: 0, limits: { fileExtractMaxBytes: 2 * 1024 ** 3 } },
});
process.stdout.write(JSON.stringify({ url: emulator.url, apiKey: emulator.account.apiKey }) + '\\n');
process.stdin.on('end', async () => { await emulator.close(); process.exit(0); });
process.stdin.resume();
`;

// One upload in a fresh process: warm up with a small file, then sample RSS while the big one goes.
const clientSource = `
import { createRequire } from 'node:module';
import { createReadStream, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
const [mode, file, url, apiKey, packageDir] = process.argv.slice(1);
const require = createRequire(join(packageDir, 'package.json'));
let upload;
if (mode === 'ours') {
  const { createFilesClient } = await import(join(packageDir, 'dist/index.js'));
  const files = createFilesClient({ apiKey, baseUrl: url, limiter: false, limits: { fileExtractMaxBytes: 2 * 1024 ** 3 } });
  upload = (path) => files.upload(path, { purpose: 'file-extract' });
} else {
  const { default: OpenAI } = await import(require.resolve('openai'));
  const client = new OpenAI({ apiKey, baseURL: url + '/compatible-mode/v1', maxRetries: 0, timeout: 600_000 });
  upload = (path) => client.files.create({ file: createReadStream(path), purpose: 'file-extract' });
}
const warm = join(dirname(file), 'warm-up.txt');
writeFileSync(warm, 'warm up\\n');
// The first requests of a process cost memory once, whatever the file's size: V8 compiles undici's HTTP parser
// (llhttp, WebAssembly) to optimised code on a background thread, about 30 MiB of compiler memory for a moment.
// That is measured on its own (oneOffBytes); the upload's growth is taken once it is over (RSS steady for 2 s).
globalThis.gc?.();
const beforeFirst = process.memoryUsage.rss();
let oneOffPeak = beforeFirst;
const oneOffTimer = setInterval(() => { oneOffPeak = Math.max(oneOffPeak, process.memoryUsage.rss()); }, 5);
await upload(warm);
await upload(warm);
const recent = [];
for (let waitedMs = 0; waitedMs < 20_000; waitedMs += 250) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  recent.push(process.memoryUsage.rss());
  if (recent.length > 8) recent.shift();
  if (recent.length === 8 && Math.max(...recent) - Math.min(...recent) < 1 << 20) break;
}
clearInterval(oneOffTimer);
globalThis.gc?.();
const baseline = process.memoryUsage.rss();
let peak = baseline;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
const started = performance.now();
const result = await upload(file);
const ms = performance.now() - started;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss());
process.stdout.write(JSON.stringify({ ms, growthBytes: peak - baseline, oneOffBytes: oneOffPeak - beforeFirst, peakRssBytes: Math.max(peak, oneOffPeak), bytes: result.bytes }) + '\\n');
process.exit(0);
`;

/** Writes `sizeBytes` of printable ASCII text (valid UTF-8, as file-extract .txt needs), in 1 MiB blocks. */
async function writeTextFile(path, sizeBytes) {
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

async function runNode(mode, file, emulator) {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--input-type=module',
      '-e',
      clientSource,
      mode,
      file,
      emulator.url,
      emulator.apiKey,
      join(root, 'packages/openai-files'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`${mode} exited ${code}`);
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

async function runCurl(file, emulator) {
  const started = performance.now();
  const child = spawn(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      'curl',
      '-sS',
      '--fail',
      '-H',
      'Expect:',
      '-H',
      `Authorization: Bearer ${emulator.apiKey}`,
      '-F',
      'purpose=file-extract',
      '-F',
      `file=@${file}`,
      `${emulator.url}/compatible-mode/v1/files`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
  if (code !== 0) throw new Error(`curl exited ${code}: ${stderr}`);
  const peakKiB = Number(stderr.trim().split('\n').at(-1));
  return { ms, peakRssBytes: peakKiB * 1024, bytes: JSON.parse(stdout).bytes };
}

const emulatorProcess = spawn(process.execPath, ['--input-type=module', '-e', emulatorSource], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
try {
  const [line] = await once(emulatorProcess.stdout, 'data');
  const emulator = JSON.parse(String(line).trim());
  const clients = {
    '@x/openai-files': (file) => runNode('ours', file, emulator),
    'openai SDK (files.create, read stream)': (file) => runNode('openai', file, emulator),
    'curl -F': (file) => runCurl(file, emulator),
  };
  const rows = [];
  const summary = {};
  for (const { label, sizeBytes } of sizes) {
    const file = join(folder, `upload-${label.replace(' ', '')}.txt`);
    await writeTextFile(file, sizeBytes);
    const samples = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
    for (let round = 0; round < rounds; round += 1) {
      for (const [name, run] of Object.entries(clients)) {
        const sample = await run(file);
        if (sample.bytes !== sizeBytes)
          throw new Error(`${name}: stored ${sample.bytes} of ${sizeBytes} bytes`);
        samples[name].push(sample);
      }
    }
    const best = (name) => Math.min(...samples[name].map((sample) => sample.ms));
    const peak = (name, field) => Math.max(...samples[name].map((sample) => sample[field] ?? 0));
    for (const name of Object.keys(clients)) {
      const isCurl = name === 'curl -F';
      rows.push({
        file: label,
        client: name,
        [`best of ${rounds} (ms)`]: best(name).toFixed(0),
        'MB/s': mbPerSecond(sizeBytes, best(name)).toFixed(0),
        'throughput vs curl': (best('curl -F') / best(name)).toFixed(2),
        'peak RSS growth (MiB)': isCurl ? '' : mib(peak(name, 'growthBytes')).toFixed(1),
        'first requests, once per process (MiB)': isCurl ? '' : mib(peak(name, 'oneOffBytes')).toFixed(1),
        'peak RSS (MiB)': mib(peak(name, 'peakRssBytes')).toFixed(1),
      });
    }
    summary[label] = {
      oursGrowthMiB: mib(peak('@x/openai-files', 'growthBytes')),
      sdkGrowthMiB: mib(peak('openai SDK (files.create, read stream)', 'growthBytes')),
      oursVsCurl: best('curl -F') / best('@x/openai-files'),
      oursVsSdk: best('openai SDK (files.create, read stream)') / best('@x/openai-files'),
    };
    rmSync(file, { force: true });
  }
  const ratios = Object.entries(summary).map(
    ([label, figures]) =>
      `- ${label}: RSS growth ours ${figures.oursGrowthMiB.toFixed(1)} MiB vs SDK ${figures.sdkGrowthMiB.toFixed(1)} MiB ` +
      `(SDK / ours = ${(figures.sdkGrowthMiB / Math.max(figures.oursGrowthMiB, 0.1)).toFixed(1)}x); throughput ours / curl = ` +
      `${figures.oursVsCurl.toFixed(2)}, ours / SDK = ${figures.oursVsSdk.toFixed(2)}`,
  );
  writeResults('openai-files', {
    title: 'Upload to the emulated Files API: @x/openai-files vs the openai SDK vs curl -F',
    columns: [
      'file',
      'client',
      `best of ${rounds} (ms)`,
      'MB/s',
      'throughput vs curl',
      'peak RSS growth (MiB)',
      'first requests, once per process (MiB)',
      'peak RSS (MiB)',
    ],
    rows,
    notes: [
      'Goals for @x/openai-files: RSS growth at most 32 MiB and flat across sizes; throughput at least 0.95 of curl -F.',
      'Every client uploads the same generated text file (purpose file-extract) to one emulator in its own process,',
      'which parses the multipart form, checks the file and writes it to disk; every upload is checked to have stored every byte.',
      'Node clients run one upload per fresh process. Growth = peak RSS during the upload above the RSS once two warm-up uploads are over and RSS has been steady for 2 s.',
      "First requests, once per process = peak RSS above the process's RSS before its first request, while the warm-up runs: mostly V8 compiling undici's llhttp (WebAssembly) to optimised code on a background thread; it does not grow with the file and happens once per process, to the SDK's fetch as well.",
      "curl's figure is its whole-process peak RSS (/usr/bin/time %M); it has no Node runtime to count.",
      ...ratios,
    ],
  });
} finally {
  // The emulator removes its data folder when its stdin ends; kill it only if it does not exit.
  emulatorProcess.stdin.end();
  const timer = setTimeout(() => emulatorProcess.kill(), 10_000);
  await once(emulatorProcess, 'close');
  clearTimeout(timer);
  rmSync(folder, { recursive: true, force: true });
}
