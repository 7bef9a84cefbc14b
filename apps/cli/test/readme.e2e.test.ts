import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { baseEnv, cliPath, emulatorEnv, scratchDir } from './run-cli.js';

const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const directory = await scratchDir();
// `mstudio` on the PATH, as `npm install --global @x/cli` puts it there.
const bin = join(directory, 'bin');
await mkdir(bin);
await writeFile(join(bin, 'mstudio'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
await chmod(join(bin, 'mstudio'), 0o755);

/** The ```sh blocks of one README section. */
function shellBlocks(heading: string): string[] {
  const start = readme.indexOf(`## ${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

describe('README', () => {
  it('"First steps": the emulator recipe waits for its variables, then doctor passes', async () => {
    const [block] = shellBlocks('First steps, with no account');
    // Up to `mstudio doctor`, as written but on a free port; the emulator is stopped afterwards.
    const lines = block!.split('\n');
    const script = lines.slice(0, lines.findIndex((line) => line.startsWith('mstudio doctor')) + 1);
    expect(script[0]).toMatch(/^mstudio emulator --port 4010 --print-env > emulator\.env &/);
    script[0] = script[0]!.replace('--port 4010', '--port 0');
    const work = join(directory, 'first-steps');
    await mkdir(work);
    const env = baseEnv();
    env.PATH = `${bin}:${env.PATH ?? ''}`;
    const { stdout } = await promisify(execFile)(
      'bash',
      ['-e', '-c', `trap 'kill %1; wait' EXIT\n${script.join('\n')}`],
      { cwd: work, env },
    );
    expect(stdout).toMatch(/^ok {4}Bailian access: /m);
  });

  it('"Files and knowledge bases": every shell example runs as written against the emulator', async () => {
    const blocks = shellBlocks('Files and knowledge bases');
    expect(blocks).toHaveLength(2);
    const work = join(directory, 'work');
    await mkdir(work);
    const env = baseEnv(emulatorEnv());
    env.PATH = `${bin}:${env.PATH ?? ''}`;
    const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', blocks.join('\n')], {
      cwd: work,
      env,
    });
    const lines = stdout.trimEnd().split('\n');
    // What the comments beside the commands promise.
    expect(lines[0]).toMatch(/^file-fe-\S+ {2}\w+ {2}33 bytes {2}report\.txt$/);
    expect(stdout).toMatch(/^33 bytes {2}copy\.txt$/m);
    expect(stdout).toMatch(/^deleted file-fe-\S+$/m);
    expect(stdout).toMatch(/^file_\S+ {2}PARSE_SUCCESS {2}docs\/guides\/setup\.txt$/m);
    expect(stdout).toMatch(/^plan: 2 to upload, 0 to update, 0 to delete, 0 unchanged/m);
    expect(stdout).toMatch(/^2 uploaded, 0 updated, 0 deleted, 0 unchanged$/m);
    expect(stdout).toMatch(/^nothing to do: 2 unchanged$/m);
    expect(stdout).toMatch(/^update {2}printer\.md {2}\(replaces file_\S+\)$/m);
    expect(stdout).toMatch(/^0 uploaded, 1 updated, 1 deleted, 0 unchanged$/m);
  });
});
