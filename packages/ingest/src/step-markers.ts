import { InvalidInputError } from '@x/transport';
import type { Redis } from 'ioredis';
import { type IngestQueue, ingestKeys } from './create-ingest-queue.js';
import type { JsonValue } from './ingest-flow.js';

/** Where one step of one document stands, as recorded in Redis: `new`, `started` (never finished) or `done`. */
export type StepState = StepNew | StepStarted | StepDone;

/** No run has begun the step. */
export interface StepNew {
  /** `new`. */
  readonly state: 'new';
}

/** A run began the step and never recorded its end: it died, failed or was aborted. */
export interface StepStarted {
  /** `started`. */
  readonly state: 'started';
  /** When the first run began it, in milliseconds since the epoch on Redis's clock. */
  readonly startedAtMs: number;
  /** How many runs have begun it. */
  readonly runs: number;
}

/** A run finished the step. */
export interface StepDone {
  /** `done`. */
  readonly state: 'done';
  /** What the step resolved with. */
  readonly value: JsonValue;
}

/** What {@link StepMarkers.once} needs: how to do the step, and how to settle a run that died during it. */
export interface StepWork<T extends JsonValue> {
  /** Does the step's work; its value is recorded as the step's result. */
  run(): Promise<T>;
  /**
   * Called instead of `run` when an earlier run began the step and never recorded its end (it may or may not have
   * reached the service): resolves with the step's value when the service shows the work was done, else `undefined`
   * and `run` is called. `startedAtMs` is when the earlier run began (Redis's clock), to tell its work from older work.
   */
  settle(interrupted: { readonly startedAtMs: number; readonly runs: number }): Promise<T | undefined>;
}

/**
 * Atomic per-document, per-step markers in Redis, handed to flows as `context.steps`: they make a step that must not
 * be done twice (AddFile, an index job) safe to rerun after a worker died, where looking the document up in the
 * service alone cannot tell this document's work from another's (two documents with the same name and size) or from
 * older work (the same name added last month).
 */
export interface StepMarkers {
  /** The document (job id) these markers belong to. */
  readonly jobId: string;
  /**
   * Runs `step` at most once in effect for this document: `run` when no run began it, the recorded value when one
   * finished it, `settle` (then `run` when it finds nothing) when one began it and died. Beginning the step is one
   * atomic Redis script, so two runs never both see it as new.
   *
   * @throws `InvalidInputError` `INVALID_STEP` for a step name outside `[a-z][a-z0-9-]{0,31}`; whatever `run` or
   * `settle` throws (the step then stays begun, and the next run settles it); `signal.reason` when aborted.
   */
  once<T extends JsonValue>(step: string, work: StepWork<T>, options?: { signal?: AbortSignal }): Promise<T>;
  /**
   * Reads a step's state without changing it.
   * @throws `InvalidInputError` `INVALID_STEP`; `signal.reason` when aborted.
   */
  peek(step: string, options?: { signal?: AbortSignal }): Promise<StepState>;
  /**
   * Claims a service resource (a `FileId`, a file id) for this document, atomically across every worker: true when
   * it is now this document's (or already was), false when another document claimed it first. A lookup that finds
   * a candidate claims it before taking it, so two documents never take the same file.
   * @throws `signal.reason` when aborted.
   */
  claim(resource: string, options?: { signal?: AbortSignal }): Promise<boolean>;
}

const stepPattern = /^[a-z][a-z0-9-]{0,31}$/;

// KEYS[1] steps hash; ARGV[1] field. Records a start; returns nil for a new step, else the record (`runs` counting
// this run for a started one).
const beginScript = `
local earlier = redis.call('HGET', KEYS[1], ARGV[1])
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if not earlier then
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ state = 'started', startedAtMs = nowMs, runs = 1 }))
  return false
end
local record = cjson.decode(earlier)
if record.state == 'started' then
  record.runs = record.runs + 1
  earlier = cjson.encode(record)
  redis.call('HSET', KEYS[1], ARGV[1], earlier)
end
return earlier
`;

/**
 * The step markers of one document of a queue (see {@link StepMarkers}). Workers hand them to flows as
 * `context.steps`; a flow outside a worker (a repair script) can open them with the queue and the job id. They are
 * removed when the document's job completes, its result being recorded with the queue's finished documents.
 *
 * @throws `InvalidInputError` `INVALID_OPTIONS` for an empty job id.
 * @example
 * ```ts
 * const steps = stepMarkers(queue, jobId);
 * const fileId = await steps.once('add-file', {
 *   run: async () => (await client.uploadDocument(path, { wait: false })).fileId,
 *   settle: async ({ startedAtMs }) => findAddedSince(path, startedAtMs),
 * });
 * ```
 */
export function stepMarkers(
  queue: Pick<IngestQueue, 'name' | 'prefix' | 'redis'>,
  jobId: string,
): StepMarkers {
  if (typeof jobId !== 'string' || jobId === '') {
    throw new InvalidInputError('INVALID_OPTIONS', 'stepMarkers: jobId must be a non-empty string');
  }
  const keys = ingestKeys(queue);
  const redis: Redis = queue.redis;
  const stepsKey = keys.steps(jobId);

  const checkStep = (step: string) => {
    if (typeof step !== 'string' || !stepPattern.test(step)) {
      throw new InvalidInputError(
        'INVALID_STEP',
        `Step name ${JSON.stringify(step)} must be lowercase letters, digits and "-", starting with a letter`,
      );
    }
  };
  const parse = (raw: string | null): StepState => (raw === null ? { state: 'new' } : JSON.parse(raw));

  return {
    jobId,
    async once<T extends JsonValue>(
      step: string,
      work: StepWork<T>,
      options: { signal?: AbortSignal } = {},
    ): Promise<T> {
      const { signal } = options;
      checkStep(step);
      signal?.throwIfAborted();
      const earlier = parse((await redis.eval(beginScript, 1, stepsKey, step)) as string | null);
      signal?.throwIfAborted();
      if (earlier.state === 'done') return earlier.value as T;
      let value: T | undefined;
      if (earlier.state === 'started') {
        value = await work.settle({ startedAtMs: earlier.startedAtMs, runs: earlier.runs });
      }
      value ??= await work.run();
      signal?.throwIfAborted();
      await redis.hset(stepsKey, step, JSON.stringify({ state: 'done', value }));
      return value;
    },
    async peek(step, options = {}) {
      checkStep(step);
      options.signal?.throwIfAborted();
      const state = parse(await redis.hget(stepsKey, step));
      options.signal?.throwIfAborted();
      return state;
    },
    async claim(resource, options = {}) {
      options.signal?.throwIfAborted();
      const isNew = await redis.hsetnx(keys.claims, resource, jobId);
      if (isNew === 1) return true;
      const owner = await redis.hget(keys.claims, resource);
      options.signal?.throwIfAborted();
      return owner === jobId;
    },
  };
}
