// `pnpm bench [section…] [--quick]`: runs every bench/<section>.bench.mjs (or the ones named), each in its own
// process so one section's memory does not count against the next, and merges what they report into
// bench/results/latest.json, latest.md and one SVG per chart. Sections not run keep their last figures.
// --quick: small sizes and one round for a smoke run; written to bench/results/quick/ and never compared to a goal.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir, machine, markdownTable, resultsDir } from './lib.mjs';
import { lineChart } from './svg-chart.mjs';

const argv = process.argv.slice(2);
const isQuick = argv.includes('--quick');
const wanted = argv.filter((argument) => !argument.startsWith('--'));
const available = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.mjs'))
  .map((name) => name.slice(0, -'.bench.mjs'.length))
  .sort();
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0 || argv.includes('--list')) {
  if (unknown.length > 0) console.error(`No bench section named ${unknown.join(', ')}.`);
  console.error(`Sections: ${available.join(', ')}`);
  process.exit(unknown.length > 0 ? 1 : 0);
}
const sections = wanted.length === 0 ? available : available.filter((name) => wanted.includes(name));
const outputDir = isQuick ? join(resultsDir, 'quick') : resultsDir;
mkdirSync(outputDir, { recursive: true });

const latestFile = join(outputDir, 'latest.json');
const previous = existsSync(latestFile) ? JSON.parse(readFileSync(latestFile, 'utf8')) : { sections: [] };
const byName = new Map(previous.sections.map((section) => [section.name, section]));
const scratch = mkdtempSync(join(tmpdir(), 'bench-run-'));

let failed = 0;
try {
  for (const name of sections) {
    console.log(`\n=== ${name}${isQuick ? ' (quick)' : ''} ===`);
    const resultFile = join(scratch, `${name}.json`);
    const started = Date.now();
    const run = spawnSync(process.execPath, ['--expose-gc', join(benchDir, `${name}.bench.mjs`)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_RESULT_FILE: resultFile, BENCH_QUICK: isQuick ? '1' : '0' },
    });
    const seconds = Math.round((Date.now() - started) / 1000);
    if (run.status !== 0 || !existsSync(resultFile)) {
      failed += 1;
      console.error(`${name}: exited ${run.status ?? run.signal} after ${seconds} s`);
      byName.set(name, {
        name,
        title: name,
        machine: machine(),
        isQuick,
        error: `exited ${run.status ?? run.signal} after ${seconds} s, see the console output`,
      });
      continue;
    }
    const result = JSON.parse(readFileSync(resultFile, 'utf8'));
    byName.set(name, { ...result, name, durationSeconds: seconds });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const merged = [...byName.values()].sort((a, b) => available.indexOf(a.name) - available.indexOf(b.name));
const report = { machine: machine(), isQuick, sections: merged };
writeFileSync(latestFile, `${JSON.stringify(report, null, 2)}\n`);
for (const section of merged) {
  for (const chart of section.charts ?? []) {
    writeFileSync(join(outputDir, chartFile(section, chart)), lineChart(chart));
  }
}
const markdown = renderMarkdown(report);
writeFileSync(join(outputDir, 'latest.md'), markdown);
console.log(`\n${summaryTable(merged)}\n\nWrote ${join(outputDir, 'latest.md')}`);
process.exit(failed === 0 ? 0 : 1);

function chartFile(section, chart) {
  return `${section.name}-${chart.id}.svg`;
}

function machineLine(figures) {
  return `${figures.cores} cores (${figures.cpu}), ${figures.memoryGiB} GiB, Node ${figures.node}, ${figures.platform}, ${figures.date}`;
}

function summaryTable(list) {
  const rows = list.flatMap((section) =>
    section.error
      ? [{ section: section.name, figure: `failed: ${section.error}` }]
      : (section.summary ?? []).map((row) => ({ section: section.name, ...row })),
  );
  return markdownTable({
    columns: ['section', 'figure', 'ours', 'reference', 'ratio', 'goal'],
    rows: rows.map((row) => ({
      ...row,
      goal: row.goal ? `${row.goal}${row.isMet === false ? ' (missed)' : ''}` : '',
    })),
  });
}

function renderMarkdown({ machine: runMachine, isQuick: quick, sections: list }) {
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`pnpm bench${quick ? ' --quick' : ''}\`: every figure is measured side by side with its reference in the`,
    'same run on the same machine; ratio = ours / reference for throughput, reference / ours for time and memory, so',
    'above 1 is better for us. Sections run separately keep the machine and date of their own run.',
    quick ? '\n**Quick run: small sizes, one round; the figures are a smoke test, not measurements.**' : '',
    '',
    `Machine: ${machineLine(runMachine)}`,
    '',
    '## Summary',
    '',
    summaryTable(list),
  ];
  for (const section of list) {
    lines.push('', `## ${section.title ?? section.name}`, '');
    lines.push(
      `\`pnpm bench ${section.name}\` · ${machineLine(section.machine)}${section.durationSeconds ? ` · ${section.durationSeconds} s` : ''}`,
    );
    if (section.error) {
      lines.push('', `Failed: ${section.error}`);
      continue;
    }
    if (section.description) lines.push('', section.description);
    for (const chart of section.charts ?? [])
      lines.push('', `![${chart.title}](${chartFile(section, chart)})`);
    for (const table of section.tables ?? []) lines.push('', markdownTable(table));
    for (const note of section.notes ?? []) lines.push('', note);
  }
  return `${lines.join('\n')}\n`;
}
