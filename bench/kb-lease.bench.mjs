// Small knowledge-base documents (1,000; 200 under --quick) through uploadMany against the emulator, with AddFile's
// quota (and the lease's) scaled to 100/s on both sides. Figures: wall time against the floor the quota sets
// (documents / rate), where the time goes (ramp-up before the first AddFile, the span of the AddFile calls, the tail
// after the last), how many AddFile and lease calls the emulator throttled (429), how many AddFile calls in all
// (exactly one per document), and the dispatch-to-arrival jitter the limiter's window margin has to cover (the margin
// is chosen from it, measured in a calibration run first). Side by side: the same batch with no client-side limiter,
// so the service's 429s do the pacing, and with no quota anywhere (what this machine does at all).
import { createKnowledgeBaseClient } from '../packages/kb-lease/dist/index.js';
import { modelStudioQuotas } from '../packages/ratelimit/dist/index.js';
import {
  batchLimiter,
  calibrateMargin,
  delayRow,
  floorSummary,
  limiterRuns,
  limiterSeries,
  measureRun,
  wallChart,
  wallComparisons,
} from './batch-lib.mjs';
import {
  acceptedOverTime,
  arrivalTimes,
  benchFolder,
  calibrationWindowMarginMs,
  count429s,
  dispatchDelays,
  emulatorCalls,
  isQuick,
  maxInWindow,
  milliseconds,
  reportSection,
  seconds,
  startEmulator,
} from './lib.mjs';

const documents = isQuick ? 200 : 1000;
const ratePerSecond = 100;
const concurrency = 64;
// The limiter's window margin: each 1-s window held this much longer, so that calls let go by the client also arrive
// within the quota at the emulator. It has to cover the jitter in the client-to-emulator delay (not the delay itself):
// a calibration run (the first 300 documents, 200 under --quick, with the libraries' 100 ms) measures it, and the
// batch runs with chooseWindowMargin(that) (lib.mjs, through calibrateMargin in batch-lib.mjs). The batch run
// measures it again and reports both.
let marginMs = calibrationWindowMarginMs;
const calibrationDocuments = isQuick ? 200 : 300;
const windows = Math.ceil(documents / ratePerSecond);
const floorMs = (documents / ratePerSecond) * 1000;
const folder = benchFolder('kb-lease');

const paths = Array.from({ length: documents }, (_, index) =>
  folder.write(
    `bench-doc-${String(index).padStart(4, '0')}.md`,
    `# Document ${index}\n\n${'Some searchable text. '.repeat(40)}\n`,
  ),
);

/**
 * `mode`: 'limiter' (the client's limiter at the quota), 'no-limiter' (the emulator's 429s pace the batch), 'ceiling'
 * (no quota anywhere: what this machine does at all, client and emulator sharing its cores).
 */
async function run(name, mode, batch = paths) {
  const withLimiter = mode === 'limiter';
  const emulator = await startEmulator({
    limits: { isRateLimited: mode !== 'ceiling' },
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
    const recorded = batchLimiter({
      quotas: withLimiter
        ? { ...modelStudioQuotas, addFile: scaled, applyFileUploadLease: scaled, describeFile: scaled }
        : undefined,
      windowMarginMs: marginMs,
      record: ['addFile', 'applyFileUploadLease'],
    });
    const client = createKnowledgeBaseClient({
      endpoint: emulator.url,
      workspaceId: emulator.account.workspaceId,
      credentials: {
        accessKeyId: emulator.account.accessKeyId,
        accessKeySecret: emulator.account.accessKeySecret,
      },
      limiter: recorded.limiter,
    });
    const measured = await measureRun(emulator, () => client.uploadMany(batch, { concurrency, wait: false }));
    const { result: results, wallMs, startedAtMs, endedAtMs } = measured;
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
    const arrivals = arrivalTimes(calls);
    const firstLeaseMs = Math.min(...leases.map((call) => call.startedAtMs));
    const delays = dispatchDelays(recorded.dispatches.get('addFile'), arrivals, ratePerSecond);
    const leaseDelays = dispatchDelays(
      recorded.dispatches.get('applyFileUploadLease'),
      leases.map((call) => call.startedAtMs),
      ratePerSecond,
    );
    return {
      name,
      wallMs,
      calls,
      delays,
      needs: [delays.neededMarginMs, leaseDelays.neededMarginMs],
      points: acceptedOverTime(calls),
      row: {
        run: name,
        documents: batch.length,
        'added (distinct files)': fileIds.size,
        failed: failed.length,
        'wall s': seconds(wallMs),
        'floor s (documents / rate)': seconds(floorMs),
        'wall / floor': (wallMs / floorMs).toFixed(3),
        'AddFile calls': calls.length,
        'AddFile 429s': count429s(calls),
        'lease 429s': count429s(leases),
        'most accepted AddFile in 1 s': maxInWindow(arrivalTimes(calls, { accepted: true }), 1000),
        'other calls': allCalls.length - calls.length - leases.length - byRoute('oss.putObject').length,
        ...measured.costs,
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
            { run: name, call: 'AddFile', ...delayRow(delays, marginMs) },
            { run: name, call: 'ApplyFileUploadLease', ...delayRow(leaseDelays, marginMs) },
          ]
        : [],
    };
  } finally {
    await emulator.stop();
  }
}

let runs;
let calibration;
try {
  ({ calibration, marginMs } = await calibrateMargin(
    () => run('calibration', 'limiter', paths.slice(0, calibrationDocuments)),
    (result) => Math.max(...result.needs),
  ));
  runs = await limiterRuns(run, ratePerSecond);
} finally {
  folder.remove();
}
const { ours, reference, ceiling } = runs;

const floorS = floorMs / 1000;
const count429 = (result) => result.row['AddFile 429s'];
reportSection({
  name: 'kb-lease',
  title: `kb-lease: ${documents} documents through uploadMany, AddFile quota ${ratePerSecond}/s`,
  description:
    `Concurrency ${concurrency}, wait: false (AddFile is the bound step; parsing runs on the service, so no DescribeFile is made). The emulator runs in its own process with AddFile and ApplyFileUploadLease limited to ${ratePerSecond}/s per account; ` +
    `the client's limiter (@x/ratelimit, sliding window, its memory store) holds the same quotas with 1-s windows, each widened by a margin of ${marginMs} ms. ` +
    (calibration
      ? `The margin was chosen in this run from a measurement: a calibration batch of ${calibrationDocuments} documents with the libraries' ${calibrationWindowMarginMs} ms margin paired each AddFile and lease dispatch with its arrival at the emulator; the largest jitter between calls ${ratePerSecond} apart was ${Math.max(...calibration.needs).toFixed(1)} ms, and the margin is twice that, kept within 20 to ${calibrationWindowMarginMs} ms (the batch run's own figures are in the dispatch-to-arrival table). `
      : `The margin was fixed by BENCH_WINDOW_MARGIN_MS. `) +
    `A run paced exactly by the limiter spends (${windows} - 1) x ${1000 + marginMs} ms = ${((windows - 1) * (1000 + marginMs)) / 1000} s between the first AddFile and the last (the first window starts at once); the rest of the wall time is the ramp-up before the first AddFile (MD5, lease and PUT of the first ${concurrency} documents at once, new connections) and the tail after the last (its answer). ` +
    "The reference is the same batch with no client-side limiter, paced by the service's 429s; the ceiling is the batch with no quota anywhere, what the client and the emulator do on this machine's cores.",
  summary: [
    floorSummary({
      figure: `${documents} documents through uploadMany, wall s`,
      wallMs: ours.wallMs,
      floorMs,
      reference: `${floorS.toFixed(2)} (quota floor, ${ratePerSecond}/s)`,
      isClean: count429(ours) + ours.row['lease 429s'] === 0 && ours.calls.length === documents,
    }),
    {
      figure: `${documents} documents through uploadMany, AddFile + lease 429s`,
      ours: `${count429(ours)} + ${ours.row['lease 429s']}`,
      reference: `${count429(reference)} + ${reference.row['lease 429s']} (no client limiter)`,
      ratio: '',
      goal: '= 0',
      isMet: count429(ours) + ours.row['lease 429s'] === 0,
    },
    ...wallComparisons(`${documents} documents through uploadMany`, runs),
  ],
  charts: [
    wallChart({
      title: `Accepted AddFile calls over time against the quota floor (${ratePerSecond}/s)`,
      xLabel: 's since the first AddFile',
      yLabel: 'accepted AddFile calls',
      series: limiterSeries(marginMs, runs),
      floorName: `quota floor (${ratePerSecond}/s)`,
      floorS,
      count: documents,
      countLabel: `${documents} documents`,
    }),
  ],
  tables: [
    { title: 'Runs', columns: Object.keys(ours.row), rows: [ours.row, reference.row, ceiling.row] },
    {
      title: 'Where the wall time goes',
      columns: Object.keys(ours.timeline),
      rows: [ours.timeline, reference.timeline, ceiling.timeline],
      note: `Times from the emulator's record of each call's arrival against the client's clock (one machine, one clock). The limiter's own span is (windows - 1) x (1000 ms + margin): ${windows} windows of ${ratePerSecond} calls, each released when the window ${ratePerSecond} calls earlier ends.`,
    },
    {
      title: 'Dispatch to arrival (client limiter runs)',
      columns: Object.keys(ours.jitter[0]),
      rows: [...(calibration?.jitter ?? []), ...ours.jitter],
      note: "Each call's dispatch (the limiter letting it go, in this process) paired in order with its arrival at the emulator (its own process). The margin needed is the largest delay(k) - delay(k + limit): how much later a window's calls reached the emulator than the next window's; a margin at least that keeps every arrival window within the quota. The closest arrivals limit apart (calls k and k + limit at the emulator) must stay at or above 1000 ms for no 429: it is what the run met, the needed margin what a run paced exactly by the limiter would need.",
    },
  ],
  notes: [
    "Without a client limiter the batch meets the lease quota as well as AddFile's: each 429 (on either) holds that call back for the emulator's Retry-After (1 s), so the reference can show few or no AddFile 429s and still be paced by the service; its lease 429s say so.",
    'When the machine is shared (load average well above its 2 cores), both runs are CPU-bound and the wall time says more about the machine than about the pacing: compare the 429 counts, the AddFile counts and the client CPU time.',
    `Goal: zero 429s and a wall time within 5 % of the floor. The floor counts a full window per ${ratePerSecond} documents; a run paced exactly by the limiter ends (${windows} - 1) windows after its first AddFile plus the ramp-up and the tail, so it can end under the floor. When the ceiling (no quota) is itself near or above the floor, the batch is bound by this machine's CPU, not by the pacing.`,
  ],
});
