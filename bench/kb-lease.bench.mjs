// 1,000 small knowledge-base documents through uploadMany against the emulator, with AddFile's quota (and the
// lease's) scaled to 100/s on both sides. Figures: wall time against the floor the quota sets (documents / rate), how
// many AddFile calls the emulator throttled (429), and how many AddFile calls in all (exactly one per document).
// Reference run, side by side: the same batch with no client-side limiter, so the service's 429s do the pacing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKnowledgeBaseClient } from '../packages/kb-lease/dist/index.js';
import { createQuotaLimiter, modelStudioQuotas } from '../packages/ratelimit/dist/index.js';
import { writeResults } from './lib.mjs';

const documents = 1000;
const ratePerSecond = 100;
const concurrency = 64;
const marginMs = 50;
const folder = mkdtempSync(join(tmpdir(), 'bench-kb-lease-'));

// The emulator runs in its own process, so the client's figures are its own.
const emulatorModule = new URL('../packages/emulator/dist/index.js', import.meta.url).href;
const emulatorSource = `
import { createEmulator } from ${JSON.stringify(emulatorModule)};
const emulator = await createEmulator({
  bailian: { rateLimits: { AddFile: ${ratePerSecond}, ApplyFileUploadLease: ${ratePerSecond}, DescribeFile: 1000, ListFile: 100 } },
});
process.stdout.write(JSON.stringify({ url: emulator.url, account: emulator.account }) + '\\n');
process.stdin.on('end', () => emulator.close().then(() => process.exit(0)));
process.stdin.resume();
`;

function startEmulator() {
  const child = spawn(process.execPath, ['--input-type=module', '-e', emulatorSource], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n')) resolve({ child, ...JSON.parse(line) });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
}

async function addFileCalls(url) {
  const response = await fetch(`${url}/__emulator/calls?route=AddFile`);
  const { calls } = await response.json();
  return calls;
}

const paths = [];
for (let index = 0; index < documents; index += 1) {
  const path = join(folder, `bench-doc-${String(index).padStart(4, '0')}.md`);
  writeFileSync(path, `# Document ${index}\n\n${'Some searchable text. '.repeat(40)}\n`);
  paths.push(path);
}

async function run(name, withLimiter) {
  const emulator = await startEmulator();
  // The same margin as the client's default limiter: each window held 50 ms longer than the service's.
  const scaled = { limit: ratePerSecond, intervalMs: 1000 + marginMs };
  const limiter = withLimiter
    ? createQuotaLimiter({
        quotas: { ...modelStudioQuotas, addFile: scaled, applyFileUploadLease: scaled, describeFile: scaled },
      })
    : { acquire: async () => undefined };
  const client = createKnowledgeBaseClient({
    endpoint: emulator.url,
    workspaceId: emulator.account.workspaceId,
    credentials: {
      accessKeyId: emulator.account.accessKeyId,
      accessKeySecret: emulator.account.accessKeySecret,
    },
    limiter,
  });
  const load = loadavg()[0];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const results = await client.uploadMany(paths, { concurrency, wait: false });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await client.close();
  await limiter.close?.();
  const calls = await addFileCalls(emulator.url);
  emulator.child.stdin.end();
  const failed = results.filter((result) => result.status === 'rejected');
  const fileIds = new Set(
    results.filter((result) => result.status === 'fulfilled').map((result) => result.value.fileId),
  );
  const floorMs = (documents / ratePerSecond) * 1000;
  return {
    run: name,
    documents,
    'added (distinct files)': fileIds.size,
    failed: failed.length,
    'wall s': (wallMs / 1000).toFixed(2),
    'floor s (documents / rate)': (floorMs / 1000).toFixed(2),
    'wall / floor': (wallMs / floorMs).toFixed(3),
    'AddFile calls': calls.length,
    'AddFile 429s': calls.filter((call) => call.status === 429).length,
    'client CPU s': ((cpu.user + cpu.system) / 1e6).toFixed(2),
    'load average at start': load.toFixed(1),
  };
}

try {
  const rows = [];
  rows.push(await run(`uploadMany, client limiter ${ratePerSecond}/s`, true));
  rows.push(await run('reference: no client limiter (429s pace it)', false));
  writeResults('kb-lease', {
    title: `kb-lease: ${documents} documents through uploadMany, AddFile quota ${ratePerSecond}/s`,
    columns: Object.keys(rows[0]),
    rows,
    notes: [
      `Concurrency ${concurrency}, wait: false (AddFile is the bound step; parsing runs on the service). The emulator runs in its own process with AddFile and ApplyFileUploadLease limited to ${ratePerSecond}/s per account; the client's limiter (@x/ratelimit, sliding window) holds the same quotas with the client's default margin (each window ${marginMs} ms longer), so its own floor is ${((documents / ratePerSecond) * (1000 + marginMs)) / 1000} s.`,
      'When the machine is shared (load average well above its 2 cores), both runs are CPU-bound and the wall time says more about the machine than about the pacing: compare the 429 counts, the AddFile counts and the client CPU time.',
      'Goal: zero 429s and a wall time within 5 % of the floor. The floor counts a full window per 100 documents; the first window starts at once, so a perfect run ends a little under it plus one round trip.',
    ],
  });
} finally {
  rmSync(folder, { recursive: true, force: true });
}
