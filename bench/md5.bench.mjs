// MD5 of a generated 1 GiB file: md5File against md5sum in the same run, plus the read-size sweep that chose
// md5File's default. Figures are throughput (MB/s) and the ratio to md5sum; RSS growth is for md5File.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { md5File } from '../packages/hash/dist/index.js';
import { mbPerSecond, mib, sampleRss, writeGeneratedFile, writeResults } from './lib.mjs';

const sizeBytes = 1 << 30;
const rounds = 3;
const folder = mkdtempSync(join(tmpdir(), 'bench-md5-'));
const file = join(folder, 'one-gib.bin');

try {
  await writeGeneratedFile(file, sizeBytes);
  execFileSync('md5sum', [file]); // warm the page cache

  const best = (samples) => Math.min(...samples);
  const md5sumMs = [];
  let expected;
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    expected = execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0];
    md5sumMs.push(performance.now() - started);
  }

  const rows = [
    {
      how: 'md5sum (coreutils)',
      'best of 3 (ms)': best(md5sumMs).toFixed(0),
      'MB/s': mbPerSecond(sizeBytes, best(md5sumMs)).toFixed(0),
      'vs md5sum': '1.00',
      'peak RSS growth (MiB)': '',
    },
  ];
  for (const readSizeBytes of [256 << 10, 1 << 20, 4 << 20, 8 << 20]) {
    const times = [];
    let peakGrowth = 0;
    for (let round = 0; round < rounds; round += 1) {
      const rss = sampleRss();
      const started = performance.now();
      const digest = await md5File(file, { readSizeBytes });
      times.push(performance.now() - started);
      peakGrowth = Math.max(peakGrowth, rss.stop());
      if (digest.hex !== expected) throw new Error(`digest mismatch: ${digest.hex} != ${expected}`);
    }
    rows.push({
      how: `md5File, ${readSizeBytes >> 10} KiB reads${readSizeBytes === 1 << 20 ? ' (default)' : ''}`,
      'best of 3 (ms)': best(times).toFixed(0),
      'MB/s': mbPerSecond(sizeBytes, best(times)).toFixed(0),
      'vs md5sum': (best(md5sumMs) / best(times)).toFixed(2),
      'peak RSS growth (MiB)': mib(peakGrowth).toFixed(1),
    });
  }
  // The common stream approach, for reference: one read at a time, hashed as it arrives.
  const naiveMs = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    const hash = createHash('md5');
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk);
    if (hash.digest('hex') !== expected) throw new Error('naive digest mismatch');
    naiveMs.push(performance.now() - started);
  }
  rows.push({
    how: 'fs.createReadStream (1 MiB) + hash.update, for reference',
    'best of 3 (ms)': best(naiveMs).toFixed(0),
    'MB/s': mbPerSecond(sizeBytes, best(naiveMs)).toFixed(0),
    'vs md5sum': (best(md5sumMs) / best(naiveMs)).toFixed(2),
    'peak RSS growth (MiB)': '',
  });
  writeResults('md5', {
    title: 'MD5 of a 1 GiB file (page cache warm)',
    columns: ['how', 'best of 3 (ms)', 'MB/s', 'vs md5sum', 'peak RSS growth (MiB)'],
    rows,
    notes: ['Goal: md5File >= 0.95 of md5sum, peak RSS growth < 64 MiB.'],
  });
} finally {
  rmSync(folder, { recursive: true, force: true });
}
