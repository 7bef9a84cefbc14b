import { spawn } from 'node:child_process';

/** What one process did: how it ended and everything it wrote. */
export interface ProcessRun {
  /** The exit code, or `null` when a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it, or `null` when it exited. */
  readonly signal: NodeJS.Signals | null;
  /** Its whole standard output, as UTF-8. */
  readonly stdout: string;
  /** Its whole standard error, as UTF-8. */
  readonly stderr: string;
}

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  /** The working directory. @default the current one */
  readonly cwd?: string;
  /** The whole environment of the process (nothing of this one's is added). @default this process's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** Kills it (SIGKILL) after this many milliseconds; the run then resolves with `signal: 'SIGKILL'`. @default none */
  readonly timeoutMs?: number;
}

/**
 * Spawns `command args...` with no stdin and piped output, collects stdout and stderr, and resolves once the process
 * has exited and its pipes are closed.
 *
 * @throws The spawn error (`ENOENT`...) when the process cannot be started.
 * @example
 * ```ts
 * const run = await runProcess(process.execPath, ['dist/main.js', '--help'], { env: { PATH: process.env.PATH } });
 * expect(run.exitCode, run.stderr).toBe(0);
 * ```
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.env !== undefined && { env: options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr });
    });
  });
}
