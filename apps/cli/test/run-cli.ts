import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdminClient } from '@x/emulator/vitest';
import { afterAll, inject } from 'vitest';
import { emulatorEnvironment } from '../../../tooling/examples.js';
import './provided-context.js';

/** The built executable, as `npm install -g @x/cli` would run it. */
export const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

/** What one run of `mstudio` did. */
export interface CliRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The emulator's environment, as `mstudio emulator --print-env` prints it. */
export function emulatorEnv(): Record<string, string> {
  return emulatorEnvironment(inject('emulator'));
}

/** A clean environment: the developer's credentials and proxies never leak into a test run. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  env.NO_COLOR = '1';
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/** Spawns the built `mstudio` with `args`, pipes for stdout and stderr, and waits for it to exit. */
export function startCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): { child: ChildProcess; done: Promise<CliRun>; stdoutUntil(pattern: RegExp): Promise<string> } {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: baseEnv(options.env ?? emulatorEnv()),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters) waiter();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
  /** Resolves with stdout once it matches `pattern`; rejects if the process ends first. */
  const stdoutUntil = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(stdout)) return;
        waiters.delete(check);
        resolve(stdout);
      };
      waiters.add(check);
      check();
      done.then((run) => {
        if (waiters.delete(check)) reject(new Error(`mstudio exited (${run.exitCode}) first: ${run.stderr}`));
      }, reject);
    });
  return { child, done, stdoutUntil };
}

/** Runs `mstudio args...` against the emulator (or with `env`) and resolves when it exits. */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CliRun> {
  return startCli(args, options).done;
}

/**
 * Ctrl-C in the middle of a call: plans one `stall` on `route` (the service never answers it), starts `mstudio
 * args...`, waits until the stalled request has reached the emulator (the rule is used up), sends SIGINT and resolves
 * with the run.
 */
export async function interruptWhenStalled(
  admin: AdminClient,
  route: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CliRun> {
  await admin.addFault({ route, fault: { type: 'stall' } });
  const { child, done } = startCli(args, options);
  while ((await admin.faults()).length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGINT');
  return done;
}

/** What `mstudio` shows when Ctrl-C stops it before it printed anything. */
export const interruptedBySigint: CliRun = {
  exitCode: 130,
  stdout: '',
  stderr: 'mstudio: interrupted by SIGINT\n',
};

/** The JSON lines of a `--json` run's stdout; fails the test if any line is not JSON. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A scratch folder removed after the file's tests. */
export async function scratchDir(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'mstudio-e2e-'));
  afterAll(() => rm(directory, { recursive: true, force: true }));
  return directory;
}
