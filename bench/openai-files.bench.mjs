// Uploading generated files (30 MiB, 300 MiB and 1 GiB; 4 and 32 MiB under --quick) to the emulator's Files API
// (POST /compatible-mode/v1/files, purpose file-extract) with @x/openai-files, with the official `openai` SDK
// (`files.create` with a read stream) and with `curl -F`, side by side in one run. Each client runs in a process of its
// own, so one client's memory never counts against another; the emulator runs in a third process and accepts 2 GiB files.
// Figures: wall time, throughput (MB/s), throughput vs curl and vs the SDK, and peak RSS growth (the Node clients:
// sampled every 5 ms above the RSS after a warm-up upload; curl: its whole-process peak from /usr/bin/time).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchDir,
  benchFolder,
  fileSizes,
  interleavedRounds,
  mbPerSecond,
  mib,
  ratio,
  reportSection,
  roundCount,
  runCurl,
  sizeLabel,
  startEmulator,
} from './lib.mjs';

const root = join(benchDir, '..');
const sizes = fileSizes();
const rounds = roundCount(Number(process.env.BENCH_ROUNDS ?? 3));
const folder = benchFolder('openai-files');

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
      emulator.account.apiKey,
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

async function curlUpload(file, emulator) {
  const run = await runCurl('curl -F', [
    '-H',
    `Authorization: Bearer ${emulator.account.apiKey}`,
    '-F',
    'purpose=file-extract',
    '-F',
    `file=@${file}`,
    `${emulator.url}/compatible-mode/v1/files`,
  ]);
  return { ms: run.ms, peakRssBytes: run.peakRssBytes, bytes: JSON.parse(run.stdout).bytes };
}

const ours = '@x/openai-files';
const sdk = 'openai SDK (files.create, read stream)';
const curl = 'curl -F';
const emulator = await startEmulator({
  limits: { isRateLimited: false },
  files: { processingDelayMs: 0, limits: { fileExtractMaxBytes: 2 * 1024 ** 3 } },
});
const clients = {
  [ours]: (file) => runNode('ours', file, emulator),
  [sdk]: (file) => runNode('openai', file, emulator),
  [curl]: (file) => curlUpload(file, emulator),
};
const sizeTables = [];
const summary = [];
const throughput = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
const memory = { [`${ours} (growth)`]: [], [`${sdk} (growth)`]: [], [`${curl} (process)`]: [] };
try {
  for (const sizeBytes of sizes) {
    const label = sizeLabel(sizeBytes);
    const file = await folder.generate(sizeBytes, { text: true });
    const checked = Object.fromEntries(
      Object.entries(clients).map(([name, run]) => [
        name,
        async () => {
          const sample = await run(file);
          if (sample.bytes !== sizeBytes)
            throw new Error(`${name}: stored ${sample.bytes} of ${sizeBytes} bytes`);
          return sample;
        },
      ]),
    );
    const samples = await interleavedRounds(checked, rounds);
    const best = (name) => Math.min(...samples[name].map((sample) => sample.ms));
    const peak = (name, field) => Math.max(...samples[name].map((sample) => sample[field] ?? 0));
    const mbs = (name) => mbPerSecond(sizeBytes, best(name));
    const rows = Object.keys(clients).map((name) => {
      const isCurl = name === curl;
      throughput[name].push([sizeBytes, mbs(name)]);
      memory[`${name} (${isCurl ? 'process' : 'growth'})`].push([
        sizeBytes,
        mib(peak(name, isCurl ? 'peakRssBytes' : 'growthBytes')),
      ]);
      return {
        client: name,
        [`best of ${rounds} (ms)`]: best(name).toFixed(0),
        'MB/s': mbs(name).toFixed(0),
        'vs curl': ratio(mbs(name), mbs(curl)),
        'peak RSS growth (MiB)': isCurl ? '' : mib(peak(name, 'growthBytes')).toFixed(1),
        'first requests, once per process (MiB)': isCurl ? '' : mib(peak(name, 'oneOffBytes')).toFixed(1),
        'peak RSS (MiB)': mib(peak(name, 'peakRssBytes')).toFixed(1),
      };
    });
    sizeTables.push({ title: label, columns: Object.keys(rows[0]), rows });
    summary.push(
      {
        figure: `Files API upload ${label}, MB/s`,
        ours: mbs(ours).toFixed(0),
        reference: `${mbs(curl).toFixed(0)} (curl -F)`,
        ratio: ratio(mbs(ours), mbs(curl)),
        goal: '>= 0.95',
        isMet: mbs(ours) / mbs(curl) >= 0.95,
      },
      {
        figure: `Files API upload ${label}, MB/s vs the openai SDK`,
        ours: mbs(ours).toFixed(0),
        reference: `${mbs(sdk).toFixed(0)} (openai SDK)`,
        ratio: ratio(mbs(ours), mbs(sdk)),
      },
      {
        figure: `Files API upload ${label}, peak RSS growth, MiB`,
        ours: mib(peak(ours, 'growthBytes')).toFixed(1),
        reference: `${mib(peak(sdk, 'growthBytes')).toFixed(1)} (openai SDK)`,
        // Memory: reference / ours; a growth under 0.1 MiB counts as 0.1 so the ratio stays finite.
        ratio: ratio(mib(peak(sdk, 'growthBytes')), Math.max(mib(peak(ours, 'growthBytes')), 0.1)),
        goal: '<= 32',
        isMet: mib(peak(ours, 'growthBytes')) <= 32,
      },
    );
    rmSync(file, { force: true });
  }
} finally {
  await emulator.stop();
  folder.remove();
}

const tickLabels = Object.fromEntries(sizes.map((size) => [size, sizeLabel(size)]));
reportSection({
  name: 'openai-files',
  title: 'Files API uploads: @x/openai-files vs the openai SDK and curl -F',
  description:
    `Every client uploads the same generated text file (purpose file-extract) to one emulator in its own process, which parses the multipart form, checks the file and writes it to disk; every upload is checked to have stored every byte. Best of ${rounds} interleaved rounds, the order rotating each round, with the disk synced before every run. ` +
    'Node clients run one upload per fresh process.',
  summary,
  charts: [
    {
      id: 'throughput',
      title: 'Files API upload throughput against file size',
      x: { label: 'file size', scale: 'log', tickLabels },
      y: { label: 'MB/s' },
      series: Object.entries(throughput).map(([name, points]) => ({
        name,
        points,
        isReference: name !== ours,
      })),
    },
    {
      id: 'rss',
      title: 'Files API upload peak RSS against file size',
      x: { label: 'file size', scale: 'log', tickLabels },
      y: { label: 'MiB' },
      series: Object.entries(memory).map(([name, points]) => ({
        name,
        points,
        isReference: !name.startsWith(ours),
      })),
    },
  ],
  tables: sizeTables,
  notes: [
    'Goals for @x/openai-files: RSS growth at most 32 MiB and flat across sizes; throughput at least 0.95 of curl -F.',
    'Growth = peak RSS during the upload above the RSS once two warm-up uploads are over and RSS has been steady for 2 s.',
    "First requests, once per process = peak RSS above the process's RSS before its first request, while the warm-up runs: mostly V8 compiling undici's llhttp (WebAssembly) to optimised code on a background thread; it does not grow with the file and happens once per process, to the SDK's fetch as well.",
    "curl's figure is its whole-process peak RSS (/usr/bin/time %M); it has no Node runtime to count.",
  ],
});
