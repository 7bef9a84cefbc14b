import type { Command } from 'commander';
import { type Endpoints, resolveEndpoints } from './endpoints.js';
import { formatError, knownSecrets, rememberSecret, summarizeError } from './format-error.js';
import { createProgress, type Progress } from './progress.js';

/** The options every command takes (`mstudio --help`). */
export interface GlobalOptions {
  /** `--endpoint URL`: one base URL for every surface (an emulator). */
  readonly endpoint?: string;
  /** `--region`: `cn-beijing` or `ap-southeast-1`. */
  readonly region?: string;
  /** `--json`: one JSON object per result on stdout, nothing else there. */
  readonly json?: boolean;
  /** `--quiet`: no progress and no informational lines. */
  readonly quiet?: boolean;
  /** `--debug`: stacks and causes with errors. */
  readonly debug?: boolean;
}

/** Where a command writes, and the signal that Ctrl-C aborts. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
}

/** What a command's action works with: resolved global options, output that keeps stdout clean, progress. */
export interface CliContext {
  readonly options: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  readonly isJson: boolean;
  readonly isQuiet: boolean;
  /** Endpoints from `--endpoint` / `MSTUDIO_ENDPOINT` / `--region`; a bad value is a usage error. */
  endpoints(): Endpoints;
  /** Adds a secret given on the command line, so it is never printed. */
  addSecret(secret: string | undefined): void;
  /** One result: `json` as one line on stdout with `--json`, else `text` (when given). */
  result(json: Record<string, unknown>, text?: string): void;
  /** An informational line on stderr (not with `--quiet`). */
  info(text: string): void;
  /** A warning on stderr, always. */
  warn(text: string): void;
  /** One failed item, named on stderr in one line (and as a `{ ok: false }` result with `--json`). */
  failure(item: string, error: unknown, json?: Record<string, unknown>): void;
  /** Bars on a terminal (stderr), never with `--json` or `--quiet`; results printed meanwhile go above them. */
  progress(): Progress;
  /** The error as one line without secrets (with the stack under `--debug`). */
  describe(error: unknown): string;
}

/** Builds the context of one command from its options and the process's streams. */
export function createCliContext(command: Command, io: CliIo): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const isJson = options.json === true;
  const isQuiet = options.quiet === true;
  const secrets = () => knownSecrets(io.env);
  let active: Progress | undefined;
  let endpoints: Endpoints | undefined;
  const write = (stream: NodeJS.WriteStream, text: string) => {
    if (active?.isShown && stream.isTTY) active.log(stream, `${text}\n`);
    else stream.write(`${text}\n`);
  };
  const context: CliContext = {
    options,
    env: io.env,
    signal: io.signal,
    isJson,
    isQuiet,
    endpoints() {
      endpoints ??= resolveEndpoints(options, io.env);
      return endpoints;
    },
    addSecret(secret) {
      rememberSecret(secret);
    },
    result(json, text) {
      if (isJson) io.stdout.write(`${JSON.stringify(json)}\n`);
      else if (text !== undefined) write(io.stdout, text);
    },
    info(text) {
      if (!isQuiet) write(io.stderr, text);
    },
    warn(text) {
      write(io.stderr, `warning: ${text}`);
    },
    failure(item, error, json = {}) {
      write(io.stderr, `mstudio: ${item}: ${context.describe(error)}`);
      if (isJson) {
        io.stdout.write(
          `${JSON.stringify({ ...json, ok: false, error: summarizeError(error, secrets()) })}\n`,
        );
      }
    },
    progress() {
      active?.stop();
      active = createProgress({ stream: io.stderr, isEnabled: !isJson && !isQuiet });
      return active;
    },
    describe(error) {
      return formatError(error, secrets(), options.debug === true);
    },
  };
  return context;
}
