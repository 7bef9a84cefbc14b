// Small knowledge-base documents (1,000; 200 under --quick) through uploadMany against the emulator, with AddFile's
// quota (and the lease's) scaled to 100/s on both sides. Figures: wall time against the floor the quota sets
// (documents / rate), how many AddFile calls the emulator throttled (429), and how many AddFile calls in all (exactly
// one per document). Reference run, side by side: the same batch with no client-side limiter, so the service's 429s do
// the pacing.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKnowledgeBaseClient } from '../packages/kb-lease/dist/index.js';
import {
  createMemoryStore,
  createQuotaLimiter,
  modelStudioQuotas,
} from '../packages/ratelimit/dist/index.js';
import {
  acceptedOverTime,
  benchFolder,
  dispatchDelays,
  emulatorCalls,
  isQuick,
  loopbackWindowMarginMs,
  maxInWindow,
  recordDispatches,
  reportSection,
  startEmulator,
} from './lib.mjs';

const documents = isQuick ? 200 : 1000;
const ratePerSecond = 100;
const concurrency = 64;
// The limiter's window margin (lib.mjs): each 1-s window held this much longer, so that calls let go by the client
// also arrive within the quota at the emulator. It has to cover the jitter in the client-to-emulator delay (not the
// delay itself): the section measures that in every run (`dispatchDelays`) and reports it beside the margin.
const marginMs = loopbackWindowMarginMs;
const windows = Math.ceil(documents / ratePerSecond);
const floorMs = (documents / ratePerSecond) * 1000;
const folder = benchFolder('kb-lease');

const paths = [];
for (let index = 0; index < documents; index += 1) {
  const path = join(folder.path, `bench-doc-${String(index).padStart(4, '0')}.md`);
  writeFileSync(path, `# Document ${index}\n\n${'Some searchable text. '.repeat(40)}\n`);
  paths.push(path);
}

async function run(name, withLimiter) {
  const emulator = await startEmulator({
    bailian: {
      rateLimits: {
        AddFile: ratePerSecond,
        ApplyFileUploadLease: ratePerSecond,
        DescribeFile: 1000,
        ListFile: 100,
      },
    },
  });
  try {
    // The service's quotas as they are (1-s windows), and the margin on the store: the client's own floor is then
    // (windows - 1) x (1000 + margin) ms from the first AddFile to the last.
    const scaled = { limit: ratePerSecond, intervalMs: 1000 };
    const recorded = recordDispatches(
      withLimiter
        ? createQuotaLimiter({
            quotas: {
              ...modelStudioQuotas,
              addFile: scaled,
              applyFileUploadLease: scaled,
              describeFile: scaled,
            },
            store: createMemoryStore({ windowMarginMs: marginMs }),
          })
        : { acquire: async () => undefined },
      ['addFile', 'applyFileUploadLease'],
    );
    const client = createKnowledgeBaseClient({
      endpoint: emulator.url,
      workspaceId: emulator.account.workspaceId,
      credentials: {
        accessKeyId: emulator.account.accessKeyId,
        accessKeySecret: emulator.account.accessKeySecret,
      },
      limiter: recorded.limiter,
    });
    const load = loadavg()[0];
    const cpuBefore = process.cpuUsage();
    const startedAtMs = Date.now();
    const started = performance.now();
    const results = await client.uploadMany(paths, { concurrency, wait: false });
    const wallMs = performance.now() - started;
    const endedAtMs = startedAtMs + wallMs;
    const cpu = process.cpuUsage(cpuBefore);
    await client.close();
    await recorded.limiter.close();
    const allCalls = await emulatorCalls(emulator.url);
    const byRoute = (route) => allCalls.filter((call) => call.route === route);
    const calls = byRoute('AddFile');
    const leases = byRoute('ApplyFileUploadLease');
    const failed = results.filter((result) => result.status === 'rejected');
    const fileIds = new Set(
      results.filter((result) => result.status === 'fulfilled').map((result) => result.value.fileId),
    );
    const arrivals = calls.map((call) => call.startedAtMs).sort((a, b) => a - b);
    const accepted = calls
      .filter((call) => call.status !== 429)
      .map((call) => call.startedAtMs)
      .sort((a, b) => a - b);
    const firstLeaseMs = Math.min(...leases.map((call) => call.startedAtMs));
    const delays = dispatchDelays(recorded.dispatches.get('addFile'), arrivals, ratePerSecond);
    const leaseDelays = dispatchDelays(
      recorded.dispatches.get('applyFileUploadLease'),
      leases.map((call) => call.startedAtMs),
      ratePerSecond,
    );
    const seconds = (ms) => (ms / 1000).toFixed(2);
    const milliseconds = (ms) => (Number.isFinite(ms) ? ms.toFixed(1) : '');
    return {
      name,
      wallMs,
      calls,
      delays,
      points: acceptedOverTime(calls),
      row: {
        run: name,
        documents,
        'added (distinct files)': fileIds.size,
        failed: failed.length,
        'wall s': seconds(wallMs),
        'floor s (documents / rate)': seconds(floorMs),
        'wall / floor': (wallMs / floorMs).toFixed(3),
        'AddFile calls': calls.length,
        'AddFile 429s': calls.filter((call) => call.status === 429).length,
        'lease 429s': leases.filter((call) => call.status === 429).length,
        'most accepted AddFile in 1 s': maxInWindow(accepted, 1000),
        'other calls': allCalls.length - calls.length - leases.length - byRoute('oss.putObject').length,
        'client CPU s': ((cpu.user + cpu.system) / 1000000).toFixed(2),
        'load average at start': load.toFixed(1),
      },
      // Where the wall time goes: before the first AddFile arrives, between the first and the last, after the last.
      timeline: {
        run: name,
        'start to first lease, ms': milliseconds(firstLeaseMs - startedAtMs),
        'start to first AddFile (ramp-up), ms': milliseconds(arrivals[0] - startedAtMs),
        'first to last AddFile, s': seconds(arrivals.at(-1) - arrivals[0]),
        "limiter's own span, s": withLimiter ? seconds((windows - 1) * (1000 + marginMs)) : '',
        'last AddFile to the end (tail), ms': milliseconds(endedAtMs - arrivals.at(-1)),
      },
      jitter: withLimiter
        ? [
            { call: 'AddFile', ...delayRow(delays) },
            { call: 'ApplyFileUploadLease', ...delayRow(leaseDelays) },
          ]
        : [],
    };
  } finally {
    await emulator.stop();
  }
}

/** One row of the dispatch-to-arrival table. */
function delayRow(delays) {
  const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : '');
  return {
    'calls paired': `${delays.count}${delays.isPaired ? '' : ' (counts differ)'}`,
    'min ms': ms(delays.minMs),
    'median ms': ms(delays.medianMs),
    'p99 ms': ms(delays.p99Ms),
    'max ms': ms(delays.maxMs),
    'spread (max - min) ms': ms(delays.spreadMs),
    'margin needed ms': ms(delays.neededMarginMs),
    'margin used ms': String(marginMs),
    'closest arrivals limit apart, ms': ms(delays.closestGapMs),
  };
}

let ours;
let reference;
try {
  ours = await run(`uploadMany, client limiter ${ratePerSecond}/s`, true);
  reference = await run('reference: no client limiter (429s pace it)', false);
} finally {
  folder.remove();
}

const floorS = floorMs / 1000;
const count429 = (result) => result.row['AddFile 429s'];
reportSection({
  name: 'kb-lease',
  title: `kb-lease: ${documents} documents through uploadMany, AddFile quota ${ratePerSecond}/s`,
  description:
    `Concurrency ${concurrency}, wait: false (AddFile is the bound step; parsing runs on the service). The emulator runs in its own process with AddFile and ApplyFileUploadLease limited to ${ratePerSecond}/s per account; ` +
    `the client's limiter (@x/ratelimit, sliding window) holds the same quotas with the client's default margin (each window ${marginMs} ms longer), so its own floor is ${((documents / ratePerSecond) * (1000 + marginMs)) / 1000} s. ` +
    "The reference is the same batch with no client-side limiter, paced by the service's 429s.",
  summary: [
    {
      figure: `${documents} documents through uploadMany, wall s`,
      ours: (ours.wallMs / 1000).toFixed(2),
      reference: `${floorS.toFixed(2)} (quota floor, ${ratePerSecond}/s)`,
      // Time: reference / ours.
      ratio: (floorMs / ours.wallMs).toFixed(3),
      goal: '>= 0.95',
      isMet: floorMs / ours.wallMs >= 0.95 && count429(ours) === 0 && ours.calls.length === documents,
    },
    {
      figure: `${documents} documents through uploadMany, AddFile 429s`,
      ours: String(count429(ours)),
      reference: `${count429(reference)} (no client limiter)`,
      ratio: '',
      goal: '= 0',
      isMet: count429(ours) === 0,
    },
    {
      figure: `${documents} documents through uploadMany, wall s vs no client limiter`,
      ours: (ours.wallMs / 1000).toFixed(2),
      reference: `${(reference.wallMs / 1000).toFixed(2)} (no client limiter)`,
      ratio: (reference.wallMs / ours.wallMs).toFixed(3),
    },
  ],
  charts: [
    {
      id: 'wall',
      title: `Accepted AddFile calls over time against the quota floor (${ratePerSecond}/s)`,
      x: { label: 's since the first AddFile' },
      y: { label: 'accepted AddFile calls' },
      series: [
        { name: ours.name, points: ours.points },
        { name: reference.name, points: reference.points, isReference: true },
        {
          name: `quota floor (${ratePerSecond}/s)`,
          points: [
            [0, 0],
            [floorS, documents],
          ],
          isReference: true,
        },
      ],
      referenceLines: [{ y: documents, label: `${documents} documents` }],
    },
  ],
  tables: [
    { title: 'Runs', columns: Object.keys(ours.row), rows: [ours.row, reference.row] },
    {
      title: 'Where the wall time goes',
      columns: Object.keys(ours.timeline),
      rows: [ours.timeline, reference.timeline],
      note: `Times from the emulator's record of each call's arrival against the client's clock (one machine, one clock). The limiter's own span is (windows - 1) x (1000 ms + margin): ${windows} windows of ${ratePerSecond} calls, each released when the window ${ratePerSecond} calls earlier ends.`,
    },
    {
      title: 'Dispatch to arrival (client limiter run)',
      columns: Object.keys(ours.jitter[0]),
      rows: ours.jitter,
      note: "Each call's dispatch (the limiter letting it go, in this process) paired in order with its arrival at the emulator (its own process). The margin needed is the largest delay(k) - delay(k + limit): how much later a window's calls reached the emulator than the next window's; a margin at least that keeps every arrival window within the quota. The closest arrivals limit apart (calls k and k + limit at the emulator) must stay at or above 1000 ms for no 429: it is what the run met, the needed margin what a run paced exactly by the limiter would need.",
    },
  ],
  notes: [
    'When the machine is shared (load average well above its 2 cores), both runs are CPU-bound and the wall time says more about the machine than about the pacing: compare the 429 counts, the AddFile counts and the client CPU time.',
    `Goal: zero 429s and a wall time within 5 % of the floor. The floor counts a full window per ${ratePerSecond} documents; the first window starts at once, so a perfect run ends a little under it plus one round trip.`,
  ],
});
