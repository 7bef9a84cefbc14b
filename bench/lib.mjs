// Small helpers the benches share: generated files, RSS sampling, result files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

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

/** Prints a table and writes bench/results/<name>.json and .md. */
export function writeResults(name, { title, columns, rows, notes = [] }) {
  mkdirSync(resultsDir, { recursive: true });
  const header = `| ${columns.join(' | ')} |\n| ${columns.map(() => '---').join(' | ')} |`;
  const body = rows
    .map((row) => `| ${columns.map((column) => String(row[column] ?? '')).join(' | ')} |`)
    .join('\n');
  const machine = `Node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString()}`;
  const markdown = `# ${title}\n\n${machine}\n\n${header}\n${body}\n${notes.map((note) => `\n${note}`).join('')}\n`;
  writeFileSync(join(resultsDir, `${name}.md`), markdown);
  writeFileSync(
    join(resultsDir, `${name}.json`),
    `${JSON.stringify({ title, machine, rows, notes }, null, 2)}\n`,
  );
  console.log(markdown);
}
