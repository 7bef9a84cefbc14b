import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProcessRun, runProcess } from './run-process.js';

/** The emulator as a package's `test/examples.test.ts` sees it: its URL and its default account. */
export interface ExampleEmulator {
  readonly url: string;
  readonly account: {
    readonly apiKey: string;
    readonly accessKeyId: string;
    readonly accessKeySecret: string;
    readonly workspaceId: string;
  };
}

/** What one example's process did. */
export type ExampleRun = ProcessRun;

/** Variables that could point an example at a real account; they are never passed on to an example. */
const realAccountVariables = [
  'MSTUDIO_ENDPOINT',
  'DASHSCOPE_API_KEY',
  'DASHSCOPE_HTTP_BASE_URL',
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALIBABA_CLOUD_CREDENTIALS_FILE',
  'ALIBABA_CLOUD_PROFILE',
  'BAILIAN_WORKSPACE_ID',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
];

/** The `.ts` files of `packageDir/examples`, sorted: every one of them is run. */
export function listExamples(packageDir: string): string[] {
  const directory = join(packageDir, 'examples');
  return readdirSync(directory)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => join(directory, name));
}

/**
 * The environment a user sets to run an example against the emulator: `MSTUDIO_ENDPOINT` (its base URL) and the
 * default account's `DASHSCOPE_API_KEY`, `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and
 * `BAILIAN_WORKSPACE_ID`.
 */
export function emulatorEnvironment(emulator: ExampleEmulator): Record<string, string> {
  return {
    MSTUDIO_ENDPOINT: emulator.url,
    DASHSCOPE_API_KEY: emulator.account.apiKey,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.account.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.account.accessKeySecret,
    BAILIAN_WORKSPACE_ID: emulator.account.workspaceId,
  };
}

/**
 * Runs one example as a user would (`node --import tsx examples/<name>.ts` from the package folder), with only
 * `env` pointing it somewhere, and resolves with its exit code and output. `imports` are preloaded after tsx. The
 * process gets a temporary folder of its own (`TMPDIR`, so `os.tmpdir()`), removed once it exited: nothing an example
 * writes there outlives the run. Kills it after `timeoutMs`.
 */
export async function runExample(
  file: string,
  options: { cwd: string; env?: Record<string, string>; imports?: readonly string[]; timeoutMs?: number },
): Promise<ExampleRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of realAccountVariables) delete env[name];
  const temporary = await mkdtemp(join(tmpdir(), 'example-'));
  // Examples reach the emulator on loopback: never through a proxy from the developer's environment.
  Object.assign(
    env,
    { NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    { TMPDIR: temporary, TMP: temporary, TEMP: temporary },
    options.env,
  );
  const preloads = ['tsx', ...(options.imports ?? [])].flatMap((name) => ['--import', name]);
  try {
    return await runProcess(process.execPath, [...preloads, file], {
      cwd: options.cwd,
      env,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}
