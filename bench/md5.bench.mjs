// MD5 of generated files (30 MiB, 300 MiB, 1 GiB): md5File against md5sum in the same run, plus the read-size
// sweep at 1 GiB that chose md5File's default. Figures: throughput (MB/s), the ratio to md5sum, and peak RSS
// (md5File's growth in this process; md5sum's whole process from /usr/bin/time).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { md5File } from '../packages/hash/dist/index.js';
import {
  benchFolder,
  fileSizes,
  mbPerSecond,
  mib,
  ratio,
  reportSection,
  roundCount,
  sampleRss,
  sizeLabel,
} from './lib.mjs';

const sizes = fileSizes([8 << 20, 32 << 20]);
const rounds = roundCount(3);
const folder = benchFolder('md5');
const best = (samples) => Math.min(...samples);

/** md5sum under /usr/bin/time: wall time, digest and peak RSS. */
function md5sum(file) {
  const started = performance.now();
  const output = execFileSync('/usr/bin/time', ['-f', '%M', 'md5sum', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ms: performance.now() - started, hex: output.split(' ')[0] };
}
function md5sumPeakRss(file) {
  const result = execFileSync('sh', ['-c', `/usr/bin/time -f %M md5sum "$1" 2>&1 >/dev/null`, 'sh', file], {
    encoding: 'utf8',
  });
  return Number(result.trim().split('\n').at(-1)) * 1024;
}

async function ours(file, expected, readSizeBytes) {
  const times = [];
  let growth = 0;
  for (let round = 0; round < rounds; round += 1) {
    const rss = sampleRss();
    const started = performance.now();
    const digest = await md5File(file, readSizeBytes === undefined ? {} : { readSizeBytes });
    times.push(performance.now() - started);
    growth = Math.max(growth, rss.stop());
    if (digest.hex !== expected) throw new Error(`digest mismatch: ${digest.hex} != ${expected}`);
  }
  return { ms: best(times), growth };
}

try {
  const sizeRows = [];
  const throughput = { ours: [], reference: [] };
  const memory = { ours: [], reference: [] };
  const summary = [];
  let largest;
  for (const sizeBytes of sizes) {
    const file = await folder.generate(sizeBytes);
    const warm = md5sum(file); // warms the page cache
    const referenceTimes = [];
    for (let round = 0; round < rounds; round += 1) referenceTimes.push(md5sum(file).ms);
    const referenceMs = best(referenceTimes);
    const referenceRss = md5sumPeakRss(file);
    const measured = await ours(file, warm.hex);
    const oursMbs = mbPerSecond(sizeBytes, measured.ms);
    const referenceMbs = mbPerSecond(sizeBytes, referenceMs);
    throughput.ours.push([sizeBytes, oursMbs]);
    throughput.reference.push([sizeBytes, referenceMbs]);
    memory.ours.push([sizeBytes, mib(measured.growth)]);
    memory.reference.push([sizeBytes, mib(referenceRss)]);
    sizeRows.push({
      size: sizeLabel(sizeBytes),
      'md5sum MB/s': referenceMbs.toFixed(0),
      'md5File MB/s': oursMbs.toFixed(0),
      'vs md5sum': ratio(oursMbs, referenceMbs),
      'md5sum peak RSS (MiB)': mib(referenceRss).toFixed(1),
      'md5File peak RSS growth (MiB)': mib(measured.growth).toFixed(1),
    });
    largest = { file, sizeBytes, hex: warm.hex, referenceMs, oursMbs, referenceMbs, growth: measured.growth };
    summary.push({
      figure: `md5 of ${sizeLabel(sizeBytes)}, MB/s`,
      ours: oursMbs.toFixed(0),
      reference: `${referenceMbs.toFixed(0)} (md5sum)`,
      ratio: ratio(oursMbs, referenceMbs),
      goal: '>= 0.95',
      isMet: oursMbs / referenceMbs >= 0.95,
    });
    if (sizeBytes !== sizes.at(-1)) rmSync(file);
  }
  summary.push({
    figure: `md5File peak RSS growth at ${sizeLabel(largest.sizeBytes)}, MiB`,
    ours: mib(largest.growth).toFixed(1),
    reference: '',
    ratio: '',
    goal: '< 64',
    isMet: mib(largest.growth) < 64,
  });

  // Read-size sweep on the largest file, and the common stream approach for reference.
  const sweepRows = [];
  for (const readSizeBytes of [256 << 10, 1 << 20, 4 << 20, 8 << 20]) {
    const measured = await ours(largest.file, largest.hex, readSizeBytes);
    sweepRows.push({
      how: `md5File, ${readSizeBytes >> 10} KiB reads${readSizeBytes === 1 << 20 ? ' (default)' : ''}`,
      'MB/s': mbPerSecond(largest.sizeBytes, measured.ms).toFixed(0),
      'vs md5sum': ratio(largest.referenceMs, measured.ms),
      'peak RSS growth (MiB)': mib(measured.growth).toFixed(1),
    });
  }
  const naiveTimes = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    const hash = createHash('md5');
    for await (const chunk of createReadStream(largest.file, { highWaterMark: 1 << 20 })) hash.update(chunk);
    if (hash.digest('hex') !== largest.hex) throw new Error('stream digest mismatch');
    naiveTimes.push(performance.now() - started);
  }
  sweepRows.push({
    how: 'fs.createReadStream (1 MiB) + hash.update, for reference',
    'MB/s': mbPerSecond(largest.sizeBytes, best(naiveTimes)).toFixed(0),
    'vs md5sum': ratio(largest.referenceMs, best(naiveTimes)),
    'peak RSS growth (MiB)': '',
  });

  const tickLabels = Object.fromEntries(sizes.map((size) => [size, sizeLabel(size)]));
  reportSection({
    name: 'md5',
    title: 'Hashing: md5File vs md5sum',
    description: `MD5 of generated files, page cache warm, best of ${rounds}. md5sum (coreutils) runs in the same run on the same files.`,
    summary,
    charts: [
      {
        id: 'throughput',
        title: 'MD5 throughput against file size',
        x: { label: 'file size', scale: 'log', tickLabels },
        y: { label: 'MB/s' },
        series: [
          { name: 'md5File', points: throughput.ours },
          { name: 'md5sum', points: throughput.reference, isReference: true },
        ],
      },
      {
        id: 'rss',
        title: 'MD5 peak RSS against file size',
        x: { label: 'file size', scale: 'log', tickLabels },
        y: { label: 'MiB' },
        series: [
          { name: 'md5File (growth)', points: memory.ours },
          { name: 'md5sum (process)', points: memory.reference, isReference: true },
        ],
      },
    ],
    tables: [
      {
        title: 'By file size',
        columns: Object.keys(sizeRows[0]),
        rows: sizeRows,
      },
      {
        title: `Read size, ${sizeLabel(largest.sizeBytes)}`,
        columns: ['how', 'MB/s', 'vs md5sum', 'peak RSS growth (MiB)'],
        rows: sweepRows,
      },
    ],
    notes: [
      "Goal: md5File >= 0.95 of md5sum, peak RSS growth < 64 MiB. md5File's RSS is its growth in this Node process; md5sum's is its whole process (/usr/bin/time %M).",
    ],
  });
} finally {
  folder.remove();
}
