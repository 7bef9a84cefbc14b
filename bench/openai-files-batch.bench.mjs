// Small files (1,000; 200 under --quick) through @x/openai-files's uploadMany against the emulator's Files API
// (purpose file-extract), with the upload quota (documented: 3 per second per account) scaled to 100/s on both sides.
// Figures: wall time against the floor the quota sets (files / rate), how many uploads the emulator throttled (429),
// how many upload calls in all, and how many files it stored (exactly one per file, none twice). Reference run, side
// by side: the same batch with no client-side limiter (`limiter: false`), paced by the emulator's 429s (the client
// retries a throttled upload: the service keeps nothing of it), and with no quota anywhere (what this machine does at
// all). The limiter's window margin is chosen from the dispatch-to-arrival jitter measured in a calibration run.
import { createFilesClient } from '../packages/openai-files/dist/index.js';
import { modelStudioQuotas } from '../packages/ratelimit/dist/index.js';
import {
  batchLimiter,
  calibrateMargin,
  delayTable,
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
  emulatorState,
  isQuick,
  maxInWindow,
  reportSection,
  seconds,
  startEmulator,
} from './lib.mjs';

const files = isQuick ? 200 : 1000;
const ratePerSecond = 100;
const concurrency = 64;
// The window margin, chosen from a measurement in this run (as in the kb-lease section): a calibration run of the
// first 300 files (200 under --quick) with the libraries' 100 ms margin, then chooseWindowMargin (lib.mjs).
let marginMs = calibrationWindowMarginMs;
const calibrationFiles = isQuick ? 200 : 300;
const floorMs = (files / ratePerSecond) * 1000;
const windows = Math.ceil(files / ratePerSecond);
const folder = benchFolder('openai-files-batch');

const paths = Array.from({ length: files }, (_, index) =>
  folder.write(
    `bench-file-${String(index).padStart(4, '0')}.txt`,
    `File ${index}\n${'Some text to extract. '.repeat(40)}\n`,
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
    files: { limits: { uploadsPerSecond: ratePerSecond, queriesPerSecond: ratePerSecond } },
  });
  try {
    const recorded = withLimiter
      ? batchLimiter({
          quotas: {
            filesUpload: { limit: ratePerSecond, intervalMs: 1000 },
            files: { ...modelStudioQuotas.files, limit: ratePerSecond },
          },
          windowMarginMs: marginMs,
          record: ['filesUpload'],
        })
      : undefined;
    const client = createFilesClient({
      apiKey: emulator.account.apiKey,
      baseUrl: emulator.url,
      limiter: recorded ? recorded.limiter : false,
    });
    const measured = await measureRun(emulator, () =>
      client.uploadMany(batch, { purpose: 'file-extract', concurrency }),
    );
    const { result: results, wallMs, startedAtMs, endedAtMs } = measured;
    await client.close();
    await recorded?.limiter.close();
    const calls = await emulatorCalls(emulator.url, 'files.upload');
    const { files: filesState } = await emulatorState(emulator.url);
    const stored = filesState.files.filter((file) => file.account === calls[0]?.account);
    const names = new Set(stored.map((file) => file.filename));
    const arrivals = arrivalTimes(calls);
    const count429 = count429s(calls);
    return {
      name,
      marginMs,
      wallMs,
      calls,
      count429,
      stored: stored.length,
      distinctStored: names.size,
      delays: recorded
        ? dispatchDelays(recorded.dispatches.get('filesUpload'), arrivals, ratePerSecond)
        : undefined,
      points: acceptedOverTime(calls),
      row: {
        run: name,
        files: batch.length,
        failed: results.filter((result) => result.status === 'rejected').length,
        'files stored': stored.length,
        'files stored twice': stored.length - names.size,
        'wall s': seconds(wallMs),
        'floor s (files / rate)': seconds(floorMs),
        'wall / floor': (wallMs / floorMs).toFixed(3),
        'upload calls': calls.length,
        'upload 429s': count429,
        'most accepted uploads in 1 s': maxInWindow(arrivalTimes(calls, { accepted: true }), 1000),
        'start to first upload (ramp-up), ms': (arrivals[0] - startedAtMs).toFixed(0),
        'first to last upload, s': seconds(arrivals.at(-1) - arrivals[0]),
        'last upload to the end (tail), ms': (endedAtMs - arrivals.at(-1)).toFixed(0),
        ...measured.costs,
      },
    };
  } finally {
    await emulator.stop();
  }
}

let runs;
let calibration;
try {
  ({ calibration, marginMs } = await calibrateMargin(
    () => run('calibration', 'limiter', paths.slice(0, calibrationFiles)),
    (result) => result.delays.neededMarginMs,
  ));
  runs = await limiterRuns(run, ratePerSecond);
} finally {
  folder.remove();
}
const { ours, reference, ceiling } = runs;

const floorS = floorMs / 1000;
const isStoredOnce = (result) => result.stored === files && result.distinctStored === files;
reportSection({
  name: 'openai-files-batch',
  title: `openai-files: ${files} small files through uploadMany, upload quota ${ratePerSecond}/s`,
  description:
    `Concurrency ${concurrency}, purpose file-extract, files of about 1 KB. The emulator runs in its own process with Files API uploads limited to ${ratePerSecond}/s per account (the documented 3/s, scaled up); ` +
    `the client's limiter (@x/ratelimit, sliding window) holds the same quota with each window widened by a ${marginMs} ms margin, so its own span from the first upload to the last is (${windows} - 1) x ${1000 + marginMs} ms = ${((windows - 1) * (1000 + marginMs)) / 1000} s. ` +
    (calibration
      ? `The margin was chosen in this run from a measurement: a calibration batch of ${calibrationFiles} files with the libraries' ${calibrationWindowMarginMs} ms margin paired each upload's dispatch with its arrival at the emulator; the largest jitter between calls ${ratePerSecond} apart was ${calibration.delays.neededMarginMs.toFixed(1)} ms, and the margin is twice that, kept within 20 to ${calibrationWindowMarginMs} ms. `
      : 'The margin was fixed by BENCH_WINDOW_MARGIN_MS. ') +
    "The reference is the same batch with no client-side limiter, paced by the emulator's 429s (uploads are retried on 429 with backoff); the ceiling is the batch with no quota anywhere, what the client and the emulator do on this machine's cores.",
  summary: [
    floorSummary({
      figure: `${files} files through uploadMany, wall s`,
      wallMs: ours.wallMs,
      floorMs,
      reference: `${floorS.toFixed(2)} (quota floor, ${ratePerSecond}/s)`,
      isClean: ours.count429 === 0 && isStoredOnce(ours),
    }),
    {
      figure: `${files} files through uploadMany, upload 429s`,
      ours: String(ours.count429),
      reference: `${reference.count429} (no client limiter)`,
      ratio: '',
      goal: '= 0',
      isMet: ours.count429 === 0,
    },
    {
      figure: `${files} files through uploadMany, stored (none twice)`,
      ours: `${ours.stored} (${ours.stored - ours.distinctStored} twice)`,
      reference: `${reference.stored} (${reference.stored - reference.distinctStored} twice, no client limiter)`,
      ratio: '',
      goal: `= ${files}`,
      isMet: isStoredOnce(ours),
    },
    ...wallComparisons(`${files} files through uploadMany`, runs),
  ],
  charts: [
    wallChart({
      title: `Accepted uploads over time against the quota floor (${ratePerSecond}/s)`,
      xLabel: 's since the first upload',
      yLabel: 'accepted uploads',
      series: limiterSeries(marginMs, runs),
      floorName: `quota floor (${ratePerSecond}/s)`,
      floorS,
      count: files,
      countLabel: `${files} files`,
    }),
  ],
  tables: [
    {
      title: 'Runs',
      columns: Object.keys(ours.row),
      rows: [ours.row, reference.row, ceiling.row],
      note: "Files stored come from the emulator's state (its Files API records for the account); stored twice counts records sharing a file name.",
    },
    delayTable('Upload dispatch to arrival (client limiter runs)', [calibration, ours]),
  ],
  notes: [
    'When the machine is shared (load average well above its 2 cores), both runs are CPU-bound and the wall time says more about the machine than about the pacing: compare the 429 counts, the call counts and the stored files.',
    `Goal: zero 429s, every file stored exactly once, and a wall time within 5 % of the floor. The floor counts a full window per ${ratePerSecond} files; the first window starts at once, so a run paced exactly by the limiter ends near (${windows} - 1) x (1 s + margin) plus the ramp-up and the tail.`,
  ],
});
