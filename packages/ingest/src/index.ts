export type { IngestQueue, IngestQueueOptions } from './create-ingest-queue.js';
export { createIngestQueue } from './create-ingest-queue.js';
export type { IngestWorker, IngestWorkerOptions } from './create-worker.js';
export { createWorker } from './create-worker.js';
export type { EnqueueOptions, EnqueueResult, FingerprintMode, IngestJobData } from './enqueue.js';
export { enqueue } from './enqueue.js';
export type {
  IngestFlow,
  IngestFlowContext,
  IngestResult,
  JsonValue,
  SourceFingerprint,
} from './ingest-flow.js';
export { ingestJobId } from './job-id.js';
export type {
  KnowledgeBaseFlowOptions,
  KnowledgeBaseListed,
  KnowledgeBaseUploaded,
  KnowledgeBaseUploader,
} from './knowledge-base-flow.js';
export { knowledgeBaseFlow } from './knowledge-base-flow.js';
export type { IngestFailure, IngestProgress, ProgressOptions } from './progress.js';
export { progress } from './progress.js';
export type { RetryFailedOptions } from './retry-failed.js';
export { retryFailed } from './retry-failed.js';
export type {
  StepDone,
  StepMarkers,
  StepNew,
  StepStarted,
  StepState,
  StepWork,
} from './step-markers.js';
export { stepMarkers } from './step-markers.js';
export type { WaitForBatchOptions } from './wait-for-batch.js';
export { waitForBatch } from './wait-for-batch.js';
export { ingestWorkerTiming } from './worker-timing.js';
