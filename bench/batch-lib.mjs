// Helpers the batch sections share (kb-lease, openai-files-batch, temp-oss-batch): a batch of small files run against
// the emulator under a quota, paced by the client's limiter or by the service's 429s. Each section keeps its own flow
// and wording; this module measures a run, builds its limiter, and shapes the rows and the chart they all report.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createMemoryStore, createQuotaLimiter } from '../packages/ratelimit/dist/index.js';
import {
  chooseWindowMargin,
  cpuSecondsOf,
  fixedWindowMarginMs,
  milliseconds,
  recordDispatches,
  seconds,
} from './lib.mjs';

/**
 * Chooses a batch section's window margin: runs `calibrate()` (the calibration batch, with the libraries' margin) and
 * gives `chooseWindowMargin` the margin it needed (`neededMs(calibration)`), unless `BENCH_WINDOW_MARGIN_MS` fixes it.
 * Resolves with `{ calibration, marginMs }`; `calibration` is undefined when the margin was fixed.
 */
export async function calibrateMargin(calibrate, neededMs) {
  const calibration = fixedWindowMarginMs === undefined ? await calibrate() : undefined;
  return { calibration, marginMs: chooseWindowMargin(calibration ? neededMs(calibration) : 0) };
}

/**
 * The limiter a batch run gives its client, with the moment it lets each call of the `record` quotas go recorded
 * (`recordDispatches`): `quotas` over a memory store whose windows are each widened by `windowMarginMs`, or, with
 * `quotas` left out, none at all (every call let go at once, still recorded).
 */
export function batchLimiter({ quotas, windowMarginMs, record }) {
  return recordDispatches(
    quotas === undefined
      ? { acquire: async () => undefined }
      : createQuotaLimiter({ quotas, store: createMemoryStore({ windowMarginMs }) }),
    record,
  );
}

/**
 * Runs `work()` and measures it: `result` (what it returned), `wallMs`, `startedAtMs` and `endedAtMs` (on the clock of
 * `Date.now()`, the one the emulator records calls on), and `costs`, the three columns every batch section's Runs table
 * ends with: this process's CPU seconds, the emulator child's, and the load average when the run started.
 */
export async function measureRun(emulator, work) {
  const load = loadavg()[0];
  const cpuBefore = process.cpuUsage();
  const emulatorCpuBefore = cpuSecondsOf(emulator.child.pid);
  const startedAtMs = Date.now();
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const emulatorCpu = cpuSecondsOf(emulator.child.pid) - emulatorCpuBefore;
  return {
    result,
    wallMs,
    startedAtMs,
    endedAtMs: startedAtMs + wallMs,
    costs: {
      'client CPU s': ((cpu.user + cpu.system) / 1000000).toFixed(2),
      'emulator CPU s': emulatorCpu.toFixed(2),
      'load average at start': load.toFixed(1),
    },
  };
}

/**
 * One row of a dispatch-to-arrival table from `dispatchDelays` and the margin the run used; `{ brief: true }` leaves
 * out the min and the spread.
 */
export function delayRow(delays, marginMs, { brief = false } = {}) {
  return {
    'calls paired': `${delays.count}${delays.isPaired ? '' : ' (counts differ)'}`,
    ...(brief ? {} : { 'min ms': milliseconds(delays.minMs) }),
    'median ms': milliseconds(delays.medianMs),
    'p99 ms': milliseconds(delays.p99Ms),
    'max ms': milliseconds(delays.maxMs),
    ...(brief ? {} : { 'spread (max - min) ms': milliseconds(delays.spreadMs) }),
    'margin needed ms': milliseconds(delays.neededMarginMs),
    'margin used ms': String(marginMs),
    'closest arrivals limit apart, ms': milliseconds(delays.closestGapMs),
  };
}

/**
 * The brief dispatch-to-arrival table of the runs (`{ name, delays, marginMs }`, or undefined) that have `delays`: one
 * row each, titled `title`, with the note that reads it as the kb-lease section's full table does.
 */
export function delayTable(title, results) {
  return {
    title,
    columns: [
      'run',
      'calls paired',
      'median ms',
      'p99 ms',
      'max ms',
      'margin needed ms',
      'margin used ms',
      'closest arrivals limit apart, ms',
    ],
    rows: results
      .filter((result) => result?.delays)
      .map((result) => ({ run: result.name, ...delayRow(result.delays, result.marginMs, { brief: true }) })),
    note: 'As in the kb-lease section: dispatches paired in order with arrivals; the margin needed is the largest delay(k) - delay(k + limit); the closest arrivals limit apart must stay at or above 1000 ms for no 429.',
  };
}

/**
 * The summary row of a batch's wall time against the floor its quota sets (`reference` says which): ratio floor /
 * wall, goal 0.95, met only if `isClean` too (no 429s, every file once).
 */
export function floorSummary({ figure, wallMs, floorMs, reference, isClean }) {
  return {
    figure,
    ours: seconds(wallMs),
    reference,
    ratio: (floorMs / wallMs).toFixed(3),
    goal: '>= 0.95',
    isMet: floorMs / wallMs >= 0.95 && isClean,
  };
}

/**
 * The two summary rows that set the client-limiter run's wall time beside the run with no client limiter and the run
 * with no quota at all (the ceiling); `batch` begins each figure (`1000 files through uploadMany`).
 */
export function wallComparisons(batch, { ours, reference, ceiling }) {
  return [
    {
      figure: `${batch}, wall s vs no client limiter`,
      ours: seconds(ours.wallMs),
      reference: `${seconds(reference.wallMs)} (no client limiter)`,
      ratio: (reference.wallMs / ours.wallMs).toFixed(3),
    },
    {
      figure: `${batch}, wall s vs no quota at all`,
      ours: seconds(ours.wallMs),
      reference: `${seconds(ceiling.wallMs)} (ceiling: this machine with no quota)`,
      ratio: (ceiling.wallMs / ours.wallMs).toFixed(3),
    },
  ];
}

/**
 * The chart of the runs' accepted calls over time (`series`, from `acceptedOverTime`) beside the floor's straight line
 * from nothing to `count` at `floorS` (named `floorName`), with a line at `count` labelled `countLabel`.
 */
export function wallChart({ title, xLabel, yLabel, series, floorName, floorS, count, countLabel }) {
  return {
    id: 'wall',
    title,
    x: { label: xLabel },
    y: { label: yLabel },
    series: [
      ...series,
      {
        name: floorName,
        points: [
          [0, 0],
          [floorS, count],
        ],
        isReference: true,
      },
    ],
    referenceLines: [{ y: count, label: countLabel }],
  };
}

/**
 * The three runs of kb-lease and openai-files-batch, one after the other: `run(name, mode)` with the client's limiter
 * at the quota (`ours`, mode 'limiter'), with no client limiter, the service's 429s pacing it (`reference`,
 * 'no-limiter'), and with no quota anywhere, what this machine does at all (`ceiling`, 'ceiling').
 */
export async function limiterRuns(run, ratePerSecond) {
  return {
    ours: await run(`uploadMany, client limiter ${ratePerSecond}/s`, 'limiter'),
    reference: await run('reference: no client limiter (429s pace it)', 'no-limiter'),
    ceiling: await run('ceiling: no quota anywhere (this machine)', 'ceiling'),
  };
}

/**
 * The series of the three runs kb-lease and openai-files-batch chart: the client limiter's (its margin in the name),
 * no client limiter, no quota (ceiling).
 */
export function limiterSeries(marginMs, { ours, reference, ceiling }) {
  return [
    { name: `client limiter, margin ${marginMs} ms`, points: ours.points },
    { name: 'no client limiter', points: reference.points, isReference: true },
    { name: 'no quota (ceiling)', points: ceiling.points, isReference: true },
  ];
}
