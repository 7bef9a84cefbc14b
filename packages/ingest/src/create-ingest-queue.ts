import { InvalidInputError } from '@x/transport';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** Options of {@link createIngestQueue}. */
export interface IngestQueueOptions {
  /**
   * Where the queue lives: a `redis://` or `rediss://` URL, or an ioredis client created with
   * `maxRetriesPerRequest: null` (BullMQ's workers need it). Every process of one batch points at the same Redis.
   */
  connection: string | Redis;
  /**
   * The queue's name; processes that share it share the batch.
   * @default 'ingest'
   */
  name?: string;
  /**
   * Prefix of every Redis key of the queue.
   * @default 'bull'
   */
  prefix?: string;
  /**
   * Runs of a job before it is failed for good (a worker that died does not use one up).
   * @default 5
   */
  attempts?: number;
  /**
   * First delay before a failed run is tried again, doubled each time.
   * @default 2000
   */
  backoffMs?: number;
  /**
   * Completed jobs kept in Redis for inspection. Finished documents are remembered apart from them, so a document is
   * never added again after its job is removed.
   * @default 1000
   */
  keepCompleted?: number;
}

/** A queue of documents to ingest, shared by every process that opens it with the same Redis, name and prefix. */
export interface IngestQueue {
  /** The queue's name. */
  readonly name: string;
  /** The prefix of its Redis keys. */
  readonly prefix: string;
  /** The BullMQ queue underneath, for anything this package does not cover. */
  readonly queue: Queue;
  /** The Redis client used for the queue's own records (finished documents, starts, completions). */
  readonly redis: Redis;
  /** Closes the BullMQ queue, and the Redis client when it was created from a URL. */
  close(): Promise<void>;
}

const queueNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** @internal Redis keys of the queue's own records. */
export function ingestKeys(queue: Pick<IngestQueue, 'name' | 'prefix'>) {
  const base = `${queue.prefix}:${queue.name}:ingest`;
  return {
    /** Hash: job id -> JSON result of every finished document. Survives `removeOnComplete`. */
    done: `${base}:done`,
    /** Hash: job id -> how many runs of its work have started (the marker that makes a rerun look first). */
    started: `${base}:started`,
    /** Sorted set: job id scored by completion time, for rates. */
    completions: `${base}:completions`,
    /** Hash per document: step -> JSON state (see `stepMarkers`); removed when the document is finished. */
    steps: (jobId: string) => `${base}:steps:${jobId}`,
    /** Hash: service resource (a `FileId`) -> the job id of the document that claimed it. */
    claims: `${base}:claims`,
  };
}

/**
 * Opens (or creates) a queue of documents on Redis. Producers (`enqueue`), workers (`createWorker`) and observers
 * (`progress`) each open it with the same connection settings, from any number of processes and machines.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_QUEUE_NAME` for a name with `:` or spaces, `INVALID_REDIS_URL` for a
 * connection string that is not a `redis://` or `rediss://` URL, `INVALID_OPTIONS` for bad attempt counts or delays.
 * @example
 * ```ts
 * const queue = createIngestQueue({ connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
 * await enqueue(['/data/a.pdf', '/data/b.pdf'], { queue, flow: 'kb' });
 * await queue.close();
 * ```
 */
export function createIngestQueue(options: IngestQueueOptions): IngestQueue {
  const {
    connection,
    name = 'ingest',
    prefix = 'bull',
    attempts = 5,
    backoffMs = 2000,
    keepCompleted = 1000,
  } = options;
  if (!queueNamePattern.test(name)) {
    throw new InvalidInputError(
      'INVALID_QUEUE_NAME',
      `Queue name ${JSON.stringify(name)} must be 1-100 letters, digits, "_", "." or "-" (no ":")`,
    );
  }
  if (!queueNamePattern.test(prefix)) {
    throw new InvalidInputError(
      'INVALID_QUEUE_NAME',
      `Key prefix ${JSON.stringify(prefix)} must be 1-100 letters, digits, "_", "." or "-" (no ":")`,
    );
  }
  for (const [label, value, min] of [
    ['attempts', attempts, 1],
    ['backoffMs', backoffMs, 0],
    ['keepCompleted', keepCompleted, 0],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidInputError('INVALID_OPTIONS', `${label} must be an integer >= ${min}, got ${value}`);
    }
  }
  let redis: Redis;
  let ownsClient = false;
  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw new InvalidInputError(
        'INVALID_REDIS_URL',
        `Redis connection must be a redis:// or rediss:// URL, got ${JSON.stringify(redactUrl(connection))}`,
      );
    }
    redis = new Redis(connection, { maxRetriesPerRequest: null });
    ownsClient = true;
  } else {
    redis = connection;
  }
  const queue = new Queue(name, {
    connection: redis,
    prefix,
    defaultJobOptions: {
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      removeOnComplete: keepCompleted,
      removeOnFail: false,
    },
  });
  return {
    name,
    prefix,
    queue,
    redis,
    async close() {
      await queue.close();
      if (ownsClient) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** A URL without its password, for messages. */
function redactUrl(value: string): string {
  return value.replace(/\/\/([^@/]*)@/, '//***@');
}
