import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  createIngestQueue,
  createWorker,
  type EnqueueResult,
  enqueue,
  type IngestFlow,
  type IngestProgress,
  type IngestQueue,
  type IngestResult,
  type JsonValue,
  knowledgeBaseFlow,
  progress,
  retryFailed,
  waitForBatch,
} from '@x/ingest';
import { createKnowledgeBaseClient, type KnowledgeBaseClient } from '@x/kb-lease';
import { createFilesClient, type FilesClient } from '@x/openai-files';
import { createModelStudioLimiter, createRedisStore } from '@x/ratelimit';
import { createTempStorage, type TempStorage } from '@x/temp-oss';
import { resolveApiKey } from '@x/transport';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { Redis } from 'ioredis';
import type { CliContext } from '../cli-context.js';
import { ItemsFailedError, UsageError } from '../cli-errors.js';
import type { CommandModule } from '../create-program.js';

const flowNames = ['kb', 'files', 'oss'] as const;
type FlowName = (typeof flowNames)[number];

interface QueueOptions {
  redis?: string;
  queue: string;
}

/**
 * `mstudio ingest enqueue|worker|progress|retry-failed`: batches as jobs on BullMQ + Redis (`@x/ingest`), run by any
 * number of `mstudio ingest worker` processes on any number of machines, every one under the account's quotas
 * through one Redis-backed limiter.
 */
export const ingestCommand: CommandModule = (program, runtime) => {
  const ingest = program
    .command('ingest')
    .description('batches of documents as jobs on Redis, run by workers on any number of machines');

  ingest
    .command('enqueue')
    .description('add one job per document: files, folders (recursively), URLs, or lists of them')
    .argument('<source...>', 'a file, a folder, an http(s):// URL, or with --from-list a text file of those')
    .addOption(new Option('--flow <flow>', 'where the documents go').choices(flowNames).makeOptionMandatory())
    .option('--from-list', 'each argument is a text file of sources, one per line ("-" reads stdin)')
    .option('--category <id>', 'kb: the knowledge-base category', 'default')
    .option('--no-wait', 'kb: finish a document at AddFile instead of waiting for PARSE_SUCCESS')
    .option('--purpose <purpose>', 'files: file-extract or batch', 'file-extract')
    .option('-m, --model <model>', 'oss: the model that will read the files')
    .addOption(
      new Option('--fingerprint <mode>', 'how a changed file is told apart')
        .choices(['stat', 'md5'])
        .default('stat'),
    )
    .addOption(redisOption())
    .addOption(queueOption())
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio ingest enqueue ./handbook --flow kb --redis redis://queue-host:6379
  $ mstudio ingest enqueue urls.txt --from-list --flow files
  $ mstudio ingest enqueue ./images --flow oss --model qwen-vl-plus`,
    )
    .action(async (sources: string[], options: EnqueueCommandOptions, command: Command) => {
      await enqueueCommand(runtime.context(command), sources, options);
    });

  ingest
    .command('worker')
    .description('run jobs until stopped (Ctrl-C or SIGTERM finishes the running ones first)')
    .addOption(
      new Option('-c, --concurrency <n>', 'jobs at once in this process (1-256)')
        .default(8)
        .argParser(integerIn(1, 256)),
    )
    .addOption(
      new Option('--flow <flow...>', 'the flows this worker runs').choices(flowNames).default([...flowNames]),
    )
    .addOption(redisOption())
    .addOption(queueOption())
    .addHelpText(
      'after',
      `
Run the same command on every machine, pointed at one Redis: the account's quotas hold for all of them together.
A worker that dies (killed, crashed) loses its jobs to the others within about 12 s.

Examples:
  $ mstudio ingest worker --redis redis://queue-host:6379 --concurrency 16`,
    )
    .action(async (options: WorkerCommandOptions, command: Command) => {
      await workerCommand(runtime.context(command), options);
    });

  ingest
    .command('progress')
    .description('totals, rate, failures and time left of the batch')
    .option('-w, --watch', 'keep watching until nothing is left to run (a live bar on a terminal)')
    .addOption(
      new Option('--interval <ms>', 'with --watch, how often to look')
        .default(1000)
        .argParser(integerIn(100, 60_000)),
    )
    .addOption(redisOption())
    .addOption(queueOption())
    .addHelpText(
      'after',
      `
Exits 1 when the batch has failed jobs (each named with its reason on stderr).

Examples:
  $ mstudio ingest progress --redis redis://queue-host:6379 --watch
  $ mstudio --json ingest progress --redis redis://queue-host:6379`,
    )
    .action(async (options: ProgressCommandOptions, command: Command) => {
      await progressCommand(runtime.context(command), options);
    });

  ingest
    .command('retry-failed')
    .description('put failed jobs back in the queue with fresh attempts')
    .addOption(redisOption())
    .addOption(queueOption())
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio ingest retry-failed --redis redis://queue-host:6379`,
    )
    .action(async (options: QueueOptions, command: Command) => {
      const cli = runtime.context(command);
      await withQueue(cli, options, async (queue) => {
        const { retried } = await retryFailed(queue, { signal: cli.signal });
        cli.result({ retried }, `${retried} failed job${retried === 1 ? '' : 's'} back in the queue`);
      });
    });
};

function redisOption(): Option {
  return new Option('--redis <url>', 'the Redis every process of the batch shares (default: $REDIS_URL)');
}

function queueOption(): Option {
  return new Option('--queue <name>', 'the queue name; processes that share it share the batch').default(
    'ingest',
  );
}

function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max)
      throw new InvalidArgumentError(`an integer from ${min} to ${max}`);
    return number;
  };
}

function redisUrl(cli: CliContext, options: QueueOptions): string {
  const url = options.redis ?? cli.env.REDIS_URL;
  if (url === undefined || url === '')
    throw new UsageError('--redis redis://host:port (or REDIS_URL) is required');
  if (!/^rediss?:\/\//.test(url)) throw new UsageError('--redis must be a redis:// or rediss:// URL');
  const password = /\/\/(?:[^:@/]*:)?([^@/]+)@/.exec(url)?.[1];
  cli.addSecret(password);
  return url;
}

async function withQueue<T>(
  cli: CliContext,
  options: QueueOptions,
  work: (queue: IngestQueue) => Promise<T>,
): Promise<T> {
  const queue = createIngestQueue({ connection: redisUrl(cli, options), name: options.queue });
  try {
    return await work(queue);
  } finally {
    await queue.close();
  }
}

interface EnqueueCommandOptions extends QueueOptions {
  flow: FlowName;
  fromList?: boolean;
  category: string;
  wait: boolean;
  purpose: string;
  model?: string;
  fingerprint: 'stat' | 'md5';
}

async function enqueueCommand(
  cli: CliContext,
  args: readonly string[],
  options: EnqueueCommandOptions,
): Promise<void> {
  if (options.flow === 'oss' && options.model === undefined) {
    throw new UsageError('--flow oss needs --model (the model that will read the files)');
  }
  if (options.flow === 'files' && !['file-extract', 'batch'].includes(options.purpose)) {
    throw new UsageError(`--purpose must be file-extract or batch, not ${options.purpose}`);
  }
  const sources = await collectSources(args, options.fromList === true, cli.signal);
  if (sources.length === 0) throw new UsageError('no documents found in the given sources');
  const flowOptions: { [key: string]: JsonValue } =
    options.flow === 'kb'
      ? { categoryId: options.category, wait: options.wait }
      : options.flow === 'files'
        ? { purpose: options.purpose }
        : { model: options.model! };
  await withQueue(cli, options, async (queue) => {
    const counts: EnqueueResult = await enqueue(sources, {
      queue,
      flow: options.flow,
      options: flowOptions,
      fingerprint: options.fingerprint,
      signal: cli.signal,
    });
    cli.result(
      { queue: queue.name, flow: options.flow, ...counts },
      `added ${counts.added}, already done ${counts.alreadyDone}, already queued ${counts.alreadyQueued}`,
    );
  });
}

/** Files (folders walked recursively, hidden entries skipped) and URLs, in a stable order. */
async function collectSources(
  args: readonly string[],
  isList: boolean,
  signal: AbortSignal,
): Promise<string[]> {
  const entries: string[] = [];
  for (const arg of args) {
    if (!isList) {
      entries.push(arg);
      continue;
    }
    const text = arg === '-' ? await readStdin() : await readFile(arg, 'utf8');
    for (const line of text.split(/\r?\n/)) {
      const entry = line.trim();
      if (entry !== '' && !entry.startsWith('#')) entries.push(entry);
    }
  }
  const sources: string[] = [];
  for (const entry of entries) {
    signal.throwIfAborted();
    if (/^https?:\/\//i.test(entry)) {
      sources.push(entry);
      continue;
    }
    const path = resolve(entry);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) sources.push(...(await walk(path)));
    else sources.push(path); // a missing file is named by enqueue's INVALID_SOURCE
  }
  return sources;
}

async function walk(directory: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

interface WorkerCommandOptions extends QueueOptions {
  concurrency: number;
  flow: FlowName[];
}

async function workerCommand(cli: CliContext, options: WorkerCommandOptions): Promise<void> {
  const url = redisUrl(cli, options);
  const endpoints = cli.endpoints();
  // The limiter's Redis fails fast when disconnected; the queue's waits for it to come back.
  const limiterRedis = new Redis(url, { enableOfflineQueue: false, lazyConnect: true });
  await limiterRedis.connect();
  const limiter = createModelStudioLimiter({ store: createRedisStore({ client: limiterRedis }) });
  const closers: (() => Promise<void>)[] = [];
  // Each flow's client is built at its first job, so a worker needs only the credentials of the flows it meets.
  const lazy = <T extends { close(): Promise<void> }>(create: () => T) => {
    let client: T | undefined;
    return () => {
      if (client === undefined) {
        client = create();
        closers.push(() => client!.close());
      }
      return client;
    };
  };
  const kbClient = lazy<KnowledgeBaseClient>(() =>
    createKnowledgeBaseClient({ endpoint: endpoints.bailian, limiter }),
  );
  const filesClient = lazy<FilesClient>(() =>
    createFilesClient({ apiKey: resolveApiKey(undefined, cli.env), baseUrl: endpoints.compatible, limiter }),
  );
  const storage = lazy<TempStorage>(() =>
    createTempStorage({ apiKey: resolveApiKey(undefined, cli.env), baseUrl: endpoints.dashscope, limiter }),
  );
  const available: Record<FlowName, IngestFlow> = {
    kb: lazyKnowledgeBaseFlow(kbClient),
    files: filesFlow(filesClient),
    oss: ossFlow(storage),
  };
  const queue = createIngestQueue({ connection: url, name: options.queue });
  const worker = createWorker({
    queue,
    flows: [...new Set(options.flow)].map((name) => available[name]),
    concurrency: options.concurrency,
    limiter,
  });
  let failed = 0;
  worker.worker.on('completed', (job, result: IngestResult) => {
    cli.result(
      { jobId: job.id, flow: job.data.flow, source: job.data.source, ...result },
      `${result.id}  ${result.status}  ${job.data.source}`,
    );
  });
  worker.worker.on('failed', (job, error) => {
    // Only a failure for good: a permanent error, or the last attempt (a retried run is not reported).
    const isFinal =
      error.name === 'UnrecoverableError' ||
      job?.finishedOn !== undefined ||
      (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1);
    if (job === undefined || !isFinal) return;
    failed += 1;
    cli.failure(job.data.source, jobFailure(error), {
      jobId: job.id,
      flow: job.data.flow,
      source: job.data.source,
    });
  });
  try {
    await worker.worker.waitUntilReady();
    cli.info(`worker on queue ${queue.name}: ${options.flow.join(', ')}, ${options.concurrency} at a time`);
    await new Promise<void>((resolvePromise) => {
      if (cli.signal.aborted) resolvePromise();
      cli.signal.addEventListener('abort', () => resolvePromise(), { once: true });
    });
    cli.info('finishing the running jobs');
  } finally {
    await worker.close();
    await queue.close();
    await Promise.all(closers.map((close) => close()));
    await limiter.close();
    limiterRedis.disconnect();
  }
  if (failed > 0)
    cli.warn(`${failed} job${failed === 1 ? '' : 's'} failed for good (see mstudio ingest progress)`);
}

/** A job's failure as BullMQ hands it back (`<CODE>: <message>`, see `@x/ingest`), with its code restored. */
function jobFailure(error: Error): Error {
  const match = /^([A-Z][A-Z0-9_]*(?:\.[A-Za-z0-9_.]+)?): ([\s\S]*)$/.exec(error.message);
  if (match === null) return error;
  return Object.assign(new Error(match[2]), { code: match[1] });
}

/** The kb flow of `@x/ingest`, over a client built at its first job. */
function lazyKnowledgeBaseFlow(client: () => KnowledgeBaseClient): IngestFlow {
  return knowledgeBaseFlow({
    client: {
      // The job's options are checked by the flow against uploadDocument's option names.
      uploadDocument: (source, options) =>
        client().uploadDocument(source, options as Parameters<KnowledgeBaseClient['uploadDocument']>[1]),
      listFiles: (options) => client().listFiles(options),
      describeFile: (fileId, options) => client().describeFile(fileId, options),
    },
  });
}

/**
 * Files API files: `POST /files`, the file object's id kept. An upload interrupted by a dead worker is settled by
 * listing files of the same name and size created since its step began (seed 003's list, newest first), each
 * claimed for one document, before uploading again.
 */
function filesFlow(client: () => FilesClient): IngestFlow {
  return {
    name: 'files',
    async lookup(_source, context) {
      const state = await context.steps.peek('upload', { signal: context.signal });
      return state.state === 'done' ? (state.value as IngestResult) : undefined;
    },
    upload(source, context) {
      const purpose = context.options.purpose === 'batch' ? 'batch' : 'file-extract';
      return context.steps.once<IngestResult>(
        'upload',
        {
          run: async () => {
            const file = await client().upload(source, { purpose, signal: context.signal });
            await context.steps.claim(file.id, { signal: context.signal });
            return {
              id: file.id,
              status: file.status ?? 'uploaded',
              filename: file.filename,
              bytes: file.bytes,
            };
          },
          settle: async ({ startedAtMs }) => {
            const name = source.split(/[\\/]/).pop();
            const after = new Date(Math.floor(startedAtMs / 1000) * 1000 - 2000);
            for await (const file of client().listAll({
              purpose,
              createdAfter: after,
              signal: context.signal,
            })) {
              if (file.filename !== name) continue;
              if (context.fingerprint.sizeBytes !== undefined && file.bytes !== context.fingerprint.sizeBytes)
                continue;
              if (await context.steps.claim(file.id, { signal: context.signal })) {
                return {
                  id: file.id,
                  status: file.status ?? 'uploaded',
                  filename: file.filename,
                  bytes: file.bytes,
                };
              }
            }
            return undefined;
          },
        },
        { signal: context.signal },
      );
    },
  };
}

/** Temporary storage: an `oss://` URL per document. It cannot be listed, so a rerun uploads again (only bytes). */
function ossFlow(storage: () => TempStorage): IngestFlow {
  return {
    name: 'oss',
    async lookup() {
      return undefined;
    },
    async upload(source, context) {
      const { url, expiresAt } = await storage().upload(source, {
        model: String(context.options.model),
        signal: context.signal,
      });
      return { id: url, status: 'uploaded', expiresAt: expiresAt.toISOString() };
    },
  };
}

interface ProgressCommandOptions extends QueueOptions {
  watch?: boolean;
  interval: number;
}

async function progressCommand(cli: CliContext, options: ProgressCommandOptions): Promise<void> {
  await withQueue(cli, options, async (queue) => {
    let last: IngestProgress;
    if (options.watch !== true) {
      last = await progress(queue, { signal: cli.signal });
      printSnapshot(cli, last);
    } else {
      const isLive = !cli.isJson && !cli.isQuiet && process.stderr.isTTY === true;
      const bar = isLive
        ? new SingleBar({
            format:
              '  {bar} {percentage}% {value}/{total} done | {active} running, {failed} failed | {rate}/s | ETA {eta_text}',
            stream: process.stderr,
            hideCursor: true,
            barsize: 30,
          })
        : undefined;
      let isStarted = false;
      let previousLine = '';
      last = await waitForBatch(queue, {
        intervalMs: options.interval,
        signal: cli.signal,
        onProgress: (snapshot) => {
          if (bar !== undefined) {
            const payload = {
              active: snapshot.active,
              failed: snapshot.failed,
              rate: snapshot.ratePerSecond.toFixed(1),
              eta_text: snapshot.etaMs === undefined ? '?' : `${Math.ceil(snapshot.etaMs / 1000)} s`,
            };
            if (!isStarted) bar.start(snapshot.total, snapshot.completed, payload);
            else {
              bar.setTotal(snapshot.total);
              bar.update(snapshot.completed, payload);
            }
            isStarted = true;
          } else if (cli.isJson) {
            cli.result({ ...snapshot });
          } else {
            const line = summaryLine(snapshot);
            if (line !== previousLine) cli.info(line);
            previousLine = line;
          }
        },
      });
      bar?.stop();
      if (!cli.isJson) printSnapshot(cli, last);
    }
    if (last.failed > 0) throw new ItemsFailedError(last.failed, last.total);
  });
}

function summaryLine(snapshot: IngestProgress): string {
  const eta = snapshot.etaMs ? `, ${Math.ceil(snapshot.etaMs / 1000)} s left` : '';
  return `${snapshot.completed}/${snapshot.total} done, ${snapshot.active} running, ${snapshot.waiting + snapshot.delayed} waiting, ${snapshot.failed} failed, ${snapshot.ratePerSecond.toFixed(1)}/s${eta}`;
}

function printSnapshot(cli: CliContext, snapshot: IngestProgress): void {
  cli.result({ ...snapshot }, summaryLine(snapshot));
  if (cli.isJson) return;
  for (const failure of snapshot.failures) cli.warn(`failed: ${failure.source}: ${failure.reason}`);
}
