// Helpers the bench sections share: generated files, RSS sampling, the quick flag and the one way a section reports.
// The section interface is described in bench/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const resultsDir = join(benchDir, 'results');

/** True under `pnpm bench --quick`: small sizes, one round; the figures are printed, never compared. */
export const isQuick = process.env.BENCH_QUICK === '1';

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

/**
 * The older one-table shape, kept so a section written against it still plugs in: one table, no summary, no chart.
 * Prefer reportSection.
 */
export function writeResults(name, { title, columns, rows, notes = [] }) {
  reportSection({ name, title, tables: [{ columns, rows, note: notes.join('\n') }] });
}
