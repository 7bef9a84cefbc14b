#!/usr/bin/env node
// Docs that run: every ```ts / ```js block of every README is a real file that the tests typecheck and run.
//
// A block must follow a marker line naming its file, relative to the README:
//
//   <!-- example: examples/first-upload.ts -->
//   ```ts
//   ...exactly the file's content...
//   ```
//
// `node tooling/readme-examples.mjs` fails on a TypeScript or JavaScript block without a marker, on a marker whose
// file is missing, and on a block whose text differs from its file. `--write` copies each file into its block.
// Other fences (sh, json, text, ...) are left alone.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const isWrite = process.argv.includes('--write');
const checkedLanguages = new Set([
  'ts',
  'typescript',
  'js',
  'javascript',
  'mjs',
  'cjs',
  'mts',
  'cts',
  'tsx',
  'jsx',
]);
const markerPattern = /^<!--\s*example:\s*(\S+)\s*-->$/;
const fencePattern = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;

/** README.md files of the repository: the root, and every package and app (not node_modules, not build output). */
export function findReadmes(directory = root) {
  const readmes = [];
  const topReadme = join(directory, 'README.md');
  if (existsSync(topReadme)) readmes.push(topReadme);
  for (const group of ['packages', 'apps']) {
    const groupDir = join(directory, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const readme = join(groupDir, entry.name, 'README.md');
      if (existsSync(readme)) readmes.push(readme);
    }
  }
  return readmes;
}

/**
 * The fenced blocks of one README: `{ language, marker, startLine, endLine, body, indent }`, lines 0-based;
 * `body` is the text between the fences.
 */
export function parseBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = fencePattern.exec(lines[index]);
    if (!open) continue;
    const [, indent, fence, language] = open;
    let end = index + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end += 1;
    let previous = index - 1;
    while (previous >= 0 && lines[previous].trim() === '') previous -= 1;
    const marker = previous >= 0 ? markerPattern.exec(lines[previous].trim())?.[1] : undefined;
    blocks.push({
      language: language.toLowerCase(),
      marker,
      startLine: index,
      endLine: end,
      indent,
      body: lines
        .slice(index + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n'),
    });
    index = end;
  }
  return blocks;
}

/** Checks (or, with `write`, syncs) one README. Returns the problems found, one line each. */
export function checkReadme(readmePath, { write = false } = {}) {
  const problems = [];
  const text = readFileSync(readmePath, 'utf8');
  const lines = text.split('\n');
  const name = relative(root, readmePath);
  let changed = false;
  // Walk from the end so line numbers of earlier blocks stay valid while blocks are rewritten.
  for (const block of parseBlocks(text).reverse()) {
    if (!checkedLanguages.has(block.language)) continue;
    const where = `${name}:${block.startLine + 1}`;
    if (block.marker === undefined) {
      problems.push(
        `${where}: a \`\`\`${block.language} block without a marker; put it in a file (for example ` +
          'examples/<name>.ts) and write `<!-- example: examples/<name>.ts -->` on the line before it',
      );
      continue;
    }
    const examplePath = resolve(dirname(readmePath), block.marker);
    if (!existsSync(examplePath)) {
      problems.push(`${where}: the marker names ${block.marker}, which does not exist`);
      continue;
    }
    const expected = readFileSync(examplePath, 'utf8').replace(/\n+$/, '');
    if (block.body === expected) continue;
    if (write) {
      const indented = expected.split('\n').map((line) => (line === '' ? '' : block.indent + line));
      lines.splice(block.startLine + 1, block.endLine - block.startLine - 1, ...indented);
      changed = true;
    } else {
      problems.push(
        `${where}: the block differs from ${block.marker} (run \`node tooling/readme-examples.mjs --write\`)`,
      );
    }
  }
  if (changed) writeFileSync(readmePath, lines.join('\n'));
  return problems.reverse();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readmes = findReadmes();
  const problems = readmes.flatMap((readme) => checkReadme(readme, { write: isWrite }));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`readme-examples: ${problems.length} problem(s) in ${readmes.length} README files`);
    process.exit(1);
  }
  console.log(`readme-examples: ${readmes.length} README files, every code block is a checked example`);
}
