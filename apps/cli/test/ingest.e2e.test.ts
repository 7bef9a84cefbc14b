import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '../../../tooling/redis-server.js';
import { baseEnv, cliPath, emulatorEnv, jsonLines, runCli, scratchDir, startCli } from './run-cli.js';

const redis = await startRedisServer();
if (redis === undefined) console.warn('redis-server is not installed: skipping the ingest end-to-end tests');

const directory = await scratchDir();
await mkdir(join(directory, 'handbook', 'chapters'), { recursive: true });
const documents = [
  'handbook/intro.md',
  'handbook/chapters/one.md',
  'handbook/chapters/two.md',
  'handbook/faq.txt',
];
for (const [index, name] of documents.entries()) {
  await writeFile(join(directory, name), `# Part ${index}\n\nText of part ${index}.\n`);
}
await writeFile(join(directory, 'handbook', '.hidden.md'), 'not enqueued\n');
await writeFile(join(directory, 'notes.txt'), 'notes for the Files API\n');
await writeFile(join(directory, 'tool.exe'), 'MZ not a document\n');

/** Runs `mstudio args...` on a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
async function runOnTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const command = [process.execPath, cliPath, ...args]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const { stdout } = await promisify(execFile)('script', ['-q', '-e', '-c', command, '/dev/null'], {
    env: { ...baseEnv(env), TERM: 'xterm', COLUMNS: '140' },
  });
  return stdout;
}

describe.skipIf(redis === undefined)('mstudio ingest', () => {
  let server: TestRedisServer;
  let queueCount = 0;
  beforeAll(() => {
    server = redis!;
  });
  afterAll(() => server?.stop());

  /** The emulator's variables plus REDIS_URL; each test uses a queue of its own. */
  function env(): Record<string, string> {
    return { ...emulatorEnv(), REDIS_URL: server.url };
  }
  function newQueue(): string {
    return `e2e-${process.pid}-${++queueCount}`;
  }

  it('enqueues a folder once, runs it on a worker, reports progress, and stops on SIGTERM', async () => {
    const queue = newQueue();
    const first = await runCli(['ingest', 'enqueue', 'handbook', '--flow', 'kb', '--queue', queue], {
      cwd: directory,
      env: env(),
    });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe('added 4, already done 0, already queued 0\n');
    const again = await runCli(
      ['--json', 'ingest', 'enqueue', 'handbook', '--flow', 'kb', '--queue', queue, '--redis', server.url],
      { cwd: directory, env: emulatorEnv() },
    );
    expect(jsonLines(again.stdout)).toEqual([
      { queue, flow: 'kb', added: 0, alreadyDone: 0, alreadyQueued: 4 },
    ]);

    const worker = startCli(['--json', 'ingest', 'worker', '--queue', queue, '--concurrency', '2'], {
      cwd: directory,
      env: env(),
    });
    const output = await worker.stdoutUntil(/(?:.*\n){4}/);
    const results = jsonLines(output);
    expect(results).toHaveLength(4);
    expect(results.map((result) => result.source).sort()).toEqual(
      documents.map((name) => join(directory, name)).sort(),
    );
    for (const result of results) {
      expect(result).toMatchObject({
        flow: 'kb',
        id: expect.stringMatching(/^file_/),
        status: 'PARSE_SUCCESS',
      });
    }

    const snapshot = await runCli(['--json', 'ingest', 'progress', '--queue', queue], { env: env() });
    expect(snapshot.exitCode).toBe(0);
    expect(jsonLines(snapshot.stdout)).toEqual([
      expect.objectContaining({ total: 4, completed: 4, failed: 0, active: 0, waiting: 0, etaMs: 0 }),
    ]);
    const text = await runCli(['ingest', 'progress', '--queue', queue], { env: env() });
    expect(text.stdout).toMatch(/^4\/4 done, 0 running, 0 waiting, 0 failed, [\d.]+\/s\n$/);

    // On a terminal, --watch draws a live bar (here: already full) and then the summary.
    const screen = await runOnTerminal(['ingest', 'progress', '--queue', queue, '--watch'], env());
    expect(screen).toMatch(/100% 4\/4 done \| 0 running, 0 failed/);
    expect(screen).toMatch(/4\/4 done, 0 running, 0 waiting, 0 failed/);

    // Finished documents stay finished: enqueuing the folder again adds nothing.
    const third = await runCli(['ingest', 'enqueue', 'handbook', '--flow', 'kb', '--queue', queue], {
      cwd: directory,
      env: env(),
    });
    expect(third.stdout).toBe('added 0, already done 4, already queued 0\n');

    worker.child.kill('SIGTERM');
    const stopped = await worker.done;
    // Stopping is how a worker ends: a clean exit once its running jobs are done.
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stderr).toContain('finishing the running jobs');
  });

  it('names failures with their codes, exits 1 from progress, and puts them back with retry-failed', async () => {
    const queue = newQueue();
    const enqueued = await runCli(
      ['ingest', 'enqueue', 'notes.txt', 'tool.exe', '--flow', 'files', '--queue', queue],
      { cwd: directory, env: env() },
    );
    expect(enqueued.stdout).toBe('added 2, already done 0, already queued 0\n');
    const worker = startCli(['--json', 'ingest', 'worker', '--queue', queue, '--flow', 'files'], {
      cwd: directory,
      env: env(),
    });
    const watched = await runCli(['ingest', 'progress', '--queue', queue, '--watch', '--interval', '200'], {
      env: env(),
    });
    expect(watched.exitCode).toBe(1);
    expect(watched.stdout).toMatch(/^2\/2 done|1\/2 done, 0 running, 0 waiting, 1 failed/m);
    expect(watched.stderr).toContain(`failed: ${join(directory, 'tool.exe')}: UNSUPPORTED_FILE_TYPE: `);
    worker.child.kill('SIGTERM');
    const stopped = await worker.done;
    const lines = jsonLines(stopped.stdout);
    expect(lines).toContainEqual(
      expect.objectContaining({ source: join(directory, 'notes.txt'), id: expect.stringMatching(/^file-/) }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        source: join(directory, 'tool.exe'),
        ok: false,
        error: expect.objectContaining({ code: 'UNSUPPORTED_FILE_TYPE' }),
      }),
    );

    const retried = await runCli(['ingest', 'retry-failed', '--queue', queue], { env: env() });
    expect(retried.exitCode).toBe(0);
    expect(retried.stdout).toBe('1 failed job back in the queue\n');
    const after = await runCli(['--json', 'ingest', 'progress', '--queue', queue], { env: env() });
    expect(jsonLines(after.stdout)).toEqual([expect.objectContaining({ total: 2, failed: 0, waiting: 1 })]);
  });

  it('refuses a bad command line before touching Redis', async () => {
    const noRedis = await runCli(['ingest', 'progress'], { env: emulatorEnv() });
    expect(noRedis.exitCode).toBe(2);
    expect(noRedis.stderr).toMatch(/--redis redis:\/\/host:port \(or REDIS_URL\) is required/);
    const noModel = await runCli(['ingest', 'enqueue', 'notes.txt', '--flow', 'oss'], {
      cwd: directory,
      env: env(),
    });
    expect(noModel.exitCode).toBe(2);
    expect(noModel.stderr).toMatch(/--flow oss needs --model/);
    const badFlow = await runCli(['ingest', 'enqueue', 'notes.txt', '--flow', 'ftp'], { env: env() });
    expect(badFlow.exitCode).toBe(2);
    const missing = await runCli(
      ['ingest', 'enqueue', 'missing.pdf', '--flow', 'kb', '--queue', newQueue()],
      {
        cwd: directory,
        env: env(),
      },
    );
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/INVALID_SOURCE: .*missing\.pdf/);
  });
});
