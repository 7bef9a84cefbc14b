import type { Emulator } from '../create-emulator.js';
import type { StoredObject } from '../dashscope/object-store.js';
import type { Fault } from '../fault-plan.js';
import type { StoredFile } from '../files/files-surface.js';
import type { QuotaUsage } from '../sliding-window.js';
import type {
  ConsoleBatch,
  ConsoleDocument,
  ConsoleFault,
  ConsoleFile,
  ConsoleObject,
  ConsoleSnapshot,
} from './console-snapshot.js';

/** Calls a snapshot carries; older ones stay in `emulator.calls` and the admin API. */
const maxSnapshotCalls = 500;
/** Objects and files remembered after they left the state (expired, deleted). */
const maxRemembered = 5000;

/** What the console remembers of objects and files after they left the emulator's state, to show them as gone. */
export interface ConsoleMemory {
  /** Notes the objects and files now in the state. */
  remember(emulator: Emulator): void;
  /** Objects seen so far, by key. */
  readonly objects: Map<string, StoredObject>;
  /** Files seen so far, by id. */
  readonly files: Map<string, StoredFile>;
}

/** Creates an empty {@link ConsoleMemory}. */
export function createConsoleMemory(): ConsoleMemory {
  const objects = new Map<string, StoredObject>();
  const files = new Map<string, StoredFile>();
  const keep = <T>(map: Map<string, T>, key: string, value: T) => {
    map.delete(key);
    map.set(key, value);
    if (map.size > maxRemembered) map.delete(map.keys().next().value as string);
  };
  return {
    objects,
    files,
    remember(emulator) {
      for (const object of emulator.state.dashscope.objects) keep(objects, object.key, object);
      for (const file of emulator.state.files.files) keep(files, file.id, file);
    },
  };
}

/** Builds the document the console's event stream sends. */
export function buildConsoleSnapshot(
  emulator: Emulator,
  memory: ConsoleMemory,
  quotas: readonly QuotaUsage[],
  isRateLimited: boolean,
): ConsoleSnapshot {
  const nowMs = emulator.clock.now();
  const liveObjects = new Set(emulator.state.dashscope.objects.map((object) => object.key));
  const liveFiles = new Map(emulator.state.files.files.map((file) => [file.id, file]));
  memory.remember(emulator);
  const objects: ConsoleObject[] = [];
  for (const object of memory.objects.values()) {
    const isLive = liveObjects.has(object.key);
    if (!isLive && nowMs < object.expiresAtMs) continue; // replaced, not expired
    objects.push({
      key: object.key,
      model: object.model,
      account: object.account,
      sizeBytes: object.sizeBytes,
      uploadedAtMs: object.uploadedAtMs,
      expiresAtMs: object.expiresAtMs,
      state: isLive ? 'live' : 'expired',
    });
  }
  const files: ConsoleFile[] = [...memory.files.values()].map((remembered) => {
    const file = liveFiles.get(remembered.id);
    const shown = file ?? remembered;
    return {
      id: shown.id,
      filename: shown.filename,
      purpose: shown.purpose,
      status: file === undefined ? 'deleted' : file.status,
      statusDetails: shown.statusDetails,
      bytes: shown.bytes,
      createdAtMs: shown.createdAtMs,
      account: shown.account,
    };
  });
  const calls = emulator.calls;
  return {
    nowMs,
    url: emulator.url,
    isRateLimited,
    totalCalls: calls.at(-1)?.id ?? 0,
    calls: calls.slice(-maxSnapshotCalls),
    faults: emulator.faults.pending().map(
      ({ id, rule, remaining }): ConsoleFault => ({
        id,
        route: rule.route ?? '*',
        fault: describeFault(rule.fault),
        remaining,
      }),
    ),
    quotas: [...quotas],
    objects,
    files,
    batches: batchesOf(emulator),
    documents: documentsOf(emulator),
  };
}

/** A batch as the Files surface keeps it (read by shape: batches are optional in a surface's state). */
interface BatchShape {
  readonly id: string;
  readonly account: string;
  readonly status: string;
  readonly inputFileId: string;
  readonly outputFileId: string | null;
  readonly errorFileId: string | null;
}

function batchesOf(emulator: Emulator): ConsoleBatch[] {
  const { batches } = emulator.state.files as { readonly batches?: readonly BatchShape[] };
  return (batches ?? []).map(({ id, account, status, inputFileId, outputFileId, errorFileId }) => ({
    id,
    account,
    status,
    inputFileId,
    outputFileId,
    errorFileId,
  }));
}

/** The index jobs of each data-center file (read by shape: index jobs are optional in a surface's state). */
function indexJobsByFile(emulator: Emulator): Map<string, string[]> {
  const { indexJobs } = emulator.state.bailian as {
    readonly indexJobs?: ReadonlyMap<
      string,
      { readonly jobId: string; readonly documentIds: readonly string[] }
    >;
  };
  const byFile = new Map<string, string[]>();
  for (const job of indexJobs?.values() ?? []) {
    for (const fileId of job.documentIds) byFile.set(fileId, [...(byFile.get(fileId) ?? []), job.jobId]);
  }
  return byFile;
}

function documentsOf(emulator: Emulator): ConsoleDocument[] {
  const { leases, objects, files } = emulator.state.bailian;
  const bailianFiles = [...files.values()];
  const jobs = indexJobsByFile(emulator);
  return [...leases.values()].map((lease) => {
    const object = objects.get(lease.objectKey);
    const file =
      lease.consumedAtMs === undefined
        ? undefined
        : bailianFiles.find(
            (candidate) =>
              candidate.accountName === lease.accountName &&
              candidate.fileName === lease.fileName &&
              candidate.sizeBytes === lease.sizeBytes &&
              candidate.createdAtMs === lease.consumedAtMs,
          );
    return {
      leaseId: lease.leaseId,
      fileName: lease.fileName,
      sizeBytes: lease.sizeBytes,
      account: lease.accountName,
      objectKey: lease.objectKey,
      leasedAtMs: lease.createdAtMs,
      upload:
        object === undefined
          ? 'waiting'
          : object.md5 === lease.md5 && object.sizeBytes === lease.sizeBytes
            ? 'uploaded'
            : 'different bytes',
      fileId: file?.fileId,
      parseStatus:
        file === undefined
          ? lease.consumedAtMs === undefined
            ? undefined
            : 'DELETED'
          : emulator.state.bailian.fileStatus(file.fileId),
      indexJobIds: file === undefined ? [] : (jobs.get(file.fileId) ?? []),
    };
  });
}

/** A fault in a few words: `503`, `reset request`, `delay 500 ms`, `stall response`. */
export function describeFault(fault: Fault): string {
  switch (fault.type) {
    case 'status':
      return `${fault.status}${fault.code === undefined ? '' : ` ${fault.code}`}`;
    case 'reset':
    case 'stall':
      return `${fault.type} ${fault.phase ?? 'request'}`;
    case 'answerLost':
      return `answer lost (${fault.at ?? 'body'})`;
    case 'delay':
      return `delay ${fault.delayMs} ms`;
    case 'error':
      return fault.code;
    case 'successFalse':
      return `200 Success:false${fault.code === undefined ? '' : ` ${fault.code}`}`;
    case 'safeCheckFailed':
      return 'safety check fails';
    default:
      return (fault as { readonly type: string }).type;
  }
}
