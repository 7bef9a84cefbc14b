export type { AdminCallOptions, AdminClient, AdminClockState } from './admin-client.js';
export { AdminRequestError, createAdminClient } from './admin-client.js';
export type { BailianAction } from './bailian/bailian-routes.js';
export type {
  BailianCategory,
  BailianCategoryType,
  BailianFile,
  BailianFileStatus,
  BailianLease,
  BailianObject,
  BailianParseSchedule,
  BailianState,
  BailianStsCredential,
  MintStsCredentialsOptions,
} from './bailian/bailian-state.js';
export type { BailianSurfaceOptions } from './bailian/bailian-surface.js';
export type {
  BailianIndex,
  BailianIndexAction,
  BailianIndexDocument,
  BailianIndexDocumentStatus,
  BailianIndexJob,
  BailianIndexJobSchedule,
  BailianIndexJobStatus,
} from './bailian/index-actions.js';
export type { CallRecord } from './call-record.js';
export { redactPath } from './call-record.js';
export type { Emulator, EmulatorLimits, EmulatorOptions, EmulatorState } from './create-emulator.js';
export { createEmulator } from './create-emulator.js';
export type { DashScopeState, DashScopeSurfaceOptions } from './dashscope/dashscope-surface.js';
export type { ModelSizeLimit } from './dashscope/model-size-limits.js';
export { defaultModelSizeLimits } from './dashscope/model-size-limits.js';
export type { StoredObject } from './dashscope/object-store.js';
export { defaultAccount } from './default-account.js';
export type { DocumentedError, ErrorFamily } from './documented-errors.js';
export { documentedErrors } from './documented-errors.js';
export type { EmulatorClockOptions } from './emulator-clock.js';
export { createEmulatorClock } from './emulator-clock.js';
export type {
  AnswerLostFault,
  DelayFault,
  ErrorFault,
  Fault,
  FaultPlan,
  FaultPlanOptions,
  FaultRule,
  PlannedFault,
  ResetFault,
  SafeCheckFailedFault,
  StallFault,
  StatusFault,
  SuccessFalseFault,
} from './fault-plan.js';
export { createFaultPlan, validateFaultRule } from './fault-plan.js';
export type { BatchSchedule, BatchStatus, StoredBatch } from './files/batch-jobs.js';
export type { FilesLimits } from './files/files-limits.js';
export type {
  FilePurpose,
  FileStatus,
  FilesSurfaceOptions,
  FilesSurfaceState,
  StoredFile,
} from './files/files-surface.js';
export type {
  EmulatorAccount,
  EmulatorClock,
  Exchange,
  Surface,
  SurfaceContext,
  SurfaceError,
} from './surface.js';
