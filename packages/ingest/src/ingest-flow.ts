import type { Limiter, Logger } from '@x/transport';
import type { StepMarkers } from './step-markers.js';

/** A value that survives a round trip through JSON, as job data and results are stored in Redis. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What identifies one version of a source, recorded on its job when it is enqueued. */
export interface SourceFingerprint {
  /** Size of a local file, in bytes. */
  readonly sizeBytes?: number;
  /** Last modification time of a local file, in milliseconds since the epoch. */
  readonly mtimeMs?: number;
  /** Lowercase hex MD5 of a local file's bytes (with `fingerprint: 'md5'`). */
  readonly md5?: string;
}

/**
 * What a flow returns for one document, stored on its job (`job.returnvalue`) and in the queue's record of finished
 * documents: the service's id of the document and its state in the service's own terms.
 */
export interface IngestResult {
  /** The service's id: a knowledge-base `FileId`, a Files API `file-...` id, or an `oss://` URL. */
  readonly id: string;
  /** The document's state as the service names it, e.g. `PARSE_SUCCESS`, `processed`, `uploaded`. */
  readonly status: string;
  /** Anything else the flow wants to keep with the result. */
  readonly [key: string]: JsonValue;
}

/** What a flow is given for one document. */
export interface IngestFlowContext {
  /** The options given to `enqueue` for this document, as stored on the job. */
  readonly options: { readonly [key: string]: JsonValue };
  /** The job's id (see `ingestJobId`). */
  readonly jobId: string;
  /**
   * How many times work on this document has started, this run included. More than 1 means an earlier run (on a
   * worker that died, or that failed) may have reached the service: `lookup` is consulted before `upload`.
   */
  readonly attempt: number;
  /** The fingerprint recorded when the document was enqueued. */
  readonly fingerprint: SourceFingerprint;
  /** The shared limiter the worker was given, for flows that build their clients per call. */
  readonly limiter: Limiter | undefined;
  /** Where to write what happens; never receives a secret. */
  readonly logger: Logger | undefined;
  /** Aborts when the worker closes or loses the job's lock; rethrow `signal.reason` as it is. */
  readonly signal: AbortSignal;
  /**
   * Atomic Redis markers of this document's steps (see `stepMarkers`): `steps.once('add-file', { run, settle })`
   * does a step that must not happen twice at most once in effect, across workers that die mid-step.
   */
  readonly steps: StepMarkers;
}

/**
 * One upload flow as the queue runs it: a knowledge-base document, a Files API file, a temporary-storage object.
 * `@x/ingest` imports no flow package; an application wires each flow's client in through this interface.
 *
 * @example
 * ```ts
 * const ossFlow: IngestFlow = {
 *   name: 'oss',
 *   async upload(source, { options, signal }) {
 *     const { url } = await storage.upload(source, { model: String(options.model), signal });
 *     return { id: url, status: 'uploaded' };
 *   },
 *   async lookup() {
 *     return undefined; // temporary storage cannot be listed: an upload twice costs only bytes
 *   },
 * };
 * ```
 */
export interface IngestFlow {
  /** The flow's name, stored on each job: lowercase letters, digits and `-`, starting with a letter (e.g. `kb`). */
  readonly name: string;
  /**
   * Takes one source (a local path or an `http(s)://` URL) into the service and resolves with its result. Called
   * at most once per run of a job; `lookup` is asked first when an earlier run may have reached the service.
   *
   * @throws `signal.reason` when aborted; a `TransportError` whose `isRetryable` is false fails the job for good.
   */
  upload(source: string, context: IngestFlowContext): Promise<IngestResult>;
  /**
   * Looks a source up in the service after a run that may have reached it (a worker that died mid-call): resolves
   * with its result when the service already has this version of it, otherwise `undefined`, and the document is
   * uploaded. A flow whose service cannot be searched resolves `undefined` and accepts a second upload.
   *
   * @throws `signal.reason` when aborted.
   */
  lookup(source: string, context: IngestFlowContext): Promise<IngestResult | undefined>;
}
