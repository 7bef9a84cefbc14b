import { createRequire } from 'node:module';
import type { EmulatorAccount } from '@x/emulator';
import { emulatorEnvironment } from '../../../../tooling/examples.js';
import { runProcess } from '../../../../tooling/run-process.js';

/** The built `mstudio` executable of @x/cli, as `npm install -g @x/cli` would run it. */
export const cliPath = createRequire(import.meta.url)
  .resolve('@x/cli/package.json')
  .replace(/package\.json$/, 'dist/main.js');

/** What one run of `mstudio` did. */
export interface CliRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a user sets for an emulator account at `url` (the emulator, or a proxy in front of it). */
export function cliEnv(url: string, account: EmulatorAccount): Record<string, string> {
  return emulatorEnvironment({ url, account });
}

/**
 * Runs `mstudio args...` with only `env` set, plus PATH, NO_COLOR and HOME (`home`, a scratch folder, so no profile
 * of the machine is read); resolves with its exit code and output.
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  options: { home: string; cwd?: string },
): Promise<CliRun> {
  return runProcess(process.execPath, [cliPath, ...args], {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    env: { PATH: process.env.PATH, HOME: options.home, NO_COLOR: '1', ...env },
  });
}
