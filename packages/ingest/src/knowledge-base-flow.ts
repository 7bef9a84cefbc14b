import { InvalidInputError, pollUntil } from '@x/transport';
import { UnrecoverableError } from 'bullmq';
import type { IngestFlow, IngestFlowContext, IngestResult, JsonValue } from './ingest-flow.js';
import { checkFlowName } from './job-id.js';

/** A document as `uploadDocument` of a knowledge-base client (`@x/kb-lease`) resolves it: the fields used here. */
export interface KnowledgeBaseUploaded {
  /** `FileId` (spec bailian-data-api §3.3). */
  readonly fileId: string;
  /** `FileName` as sent to the lease. */
  readonly fileName: string;
  /** The last status seen (`PARSE_SUCCESS`), or `undefined` when the upload did not wait. */
  readonly status: string | undefined;
  /** Bytes uploaded. */
  readonly sizeBytes: number;
  /** The MD5 declared to the lease (hex). */
  readonly md5: string;
}

/** A file as ListFile gives it (`@x/kb-lease`'s `FileData`): the fields used here. */
export interface KnowledgeBaseListed {
  /** `FileId`. */
  readonly FileId: string;
  /** `FileName`, with its extension. */
  readonly FileName?: string | null;
  /** `SizeInBytes`. */
  readonly SizeInBytes?: number | null;
  /** `CreateTime`, `yyyy-MM-dd HH:mm:ss` in UTC+8 (spec bailian-data-api §3.4). */
  readonly CreateTime?: string | null;
  /** `Status`: `INIT`, `PARSING`, `PARSE_SUCCESS`, ... */
  readonly Status?: string | null;
}

/**
 * What {@link knowledgeBaseFlow} needs of a knowledge-base client: `createKnowledgeBaseClient()` of `@x/kb-lease`
 * fits it as it is. Declared here by shape, so this package imports no flow package.
 */
export interface KnowledgeBaseUploader {
  /**
   * Takes one document to the knowledge base, AddFile at most once within the call (kb-lease README, "Exactly once").
   * @throws what the client throws; `signal.reason` when aborted.
   */
  uploadDocument(
    source: string,
    options: { [key: string]: JsonValue | AbortSignal | undefined; signal?: AbortSignal },
  ): Promise<KnowledgeBaseUploaded>;
  /**
   * ListFile, page after page, filtered by name without its extension (spec bailian-data-api §3.5).
   * @throws what the client throws; `signal.reason` when aborted.
   */
  listFiles(options: {
    categoryId?: string;
    fileName?: string;
    maxResults?: number;
    signal?: AbortSignal;
  }): AsyncIterable<KnowledgeBaseListed>;
  /**
   * DescribeFile (spec bailian-data-api §3.4): used to wait for a file found after an interrupted run to be parsed,
   * as `uploadDocument` would have. Without it, such a file's result carries the status it was listed with.
   * @throws what the client throws; `signal.reason` when aborted.
   */
  describeFile?(fileId: string, options?: { signal?: AbortSignal }): Promise<KnowledgeBaseListed>;
}

/** Options of {@link knowledgeBaseFlow}. */
export interface KnowledgeBaseFlowOptions {
  /** The knowledge-base client every document goes through (give it the shared limiter). */
  client: KnowledgeBaseUploader;
  /**
   * The flow's name, as given to `enqueue`.
   * @default 'kb'
   */
  name?: string;
  /**
   * How far the service's clock may be behind Redis's: a file created up to this long before an interrupted
   * AddFile step began still counts as that step's work.
   * @default 2000
   */
  clockSkewMs?: number;
}

/** Job options passed on to `uploadDocument`; anything else on the job is refused. */
const uploadOptionNames = [
  'categoryId',
  'categoryType',
  'parser',
  'tags',
  'originalFileUrl',
  'parserConfig',
  'fileName',
  'indexId',
  'wait',
  'timeoutMs',
] as const;

/**
 * The knowledge-base flow (`kb`) over a `@x/kb-lease` client: each document goes through MD5 -> lease -> PUT ->
 * AddFile (-> DescribeFile until `PARSE_SUCCESS` unless the job's options say `wait: false`). Job options are the
 * client's `uploadDocument` options (`categoryId`, `tags`, `parser`, `indexId`, `wait`, ...).
 *
 * AddFile is not idempotent (spec bailian-data-api §3.3, seed 000 "do not submit again"), and a rerun after a
 * worker died cannot tell from ListFile alone whether a file of the same name and size is this document's: another
 * document of the batch may share the name (`a/readme.md`, `b/readme.md`), or an older copy may be there. So the
 * upload runs as the step `add-file` of the document's {@link StepMarkers}: a rerun that finds the step begun and
 * not finished lists files of the same name and size created since the step began, and takes the earliest one that
 * no other document has claimed (`steps.claim(FileId)`), instead of adding the document again. Within one run the
 * client itself settles an ambiguous AddFile by the lease's time (kb-lease README, "Exactly once").
 *
 * @throws `InvalidInputError` `INVALID_FLOW_NAME` for a bad name, `INVALID_OPTIONS` for a bad `clockSkewMs`.
 * @example
 * ```ts
 * const client = createKnowledgeBaseClient({ limiter });
 * const worker = createWorker({ queue, flows: [knowledgeBaseFlow({ client })], limiter });
 * ```
 */
export function knowledgeBaseFlow(options: KnowledgeBaseFlowOptions): IngestFlow {
  const { client, name = 'kb', clockSkewMs = 2000 } = options;
  checkFlowName(name);
  if (!Number.isInteger(clockSkewMs) || clockSkewMs < 0) {
    throw new InvalidInputError('INVALID_OPTIONS', `clockSkewMs must be an integer >= 0, got ${clockSkewMs}`);
  }

  async function findAddedSince(
    source: string,
    context: IngestFlowContext,
    startedAtMs: number,
  ): Promise<IngestResult | undefined> {
    const fileName = stringOption(context, 'fileName') ?? baseName(source);
    const categoryId = stringOption(context, 'categoryId') ?? 'default';
    const sizeBytes = context.fingerprint.sizeBytes;
    const candidates: KnowledgeBaseListed[] = [];
    for await (const file of client.listFiles({
      categoryId,
      fileName: stem(fileName),
      maxResults: 200,
      signal: context.signal,
    })) {
      if (file.FileName !== fileName) continue;
      if (sizeBytes !== undefined && typeof file.SizeInBytes === 'number' && file.SizeInBytes !== sizeBytes)
        continue;
      const createdMs = parseCreateTime(file.CreateTime);
      if (createdMs !== undefined && createdMs < Math.floor(startedAtMs / 1000) * 1000 - clockSkewMs)
        continue;
      candidates.push(file);
    }
    candidates.sort((a, b) => (parseCreateTime(a.CreateTime) ?? 0) - (parseCreateTime(b.CreateTime) ?? 0));
    for (const file of candidates) {
      if (await context.steps.claim(file.FileId, { signal: context.signal })) {
        context.logger?.info?.('ingest kb: an interrupted AddFile had added the document', {
          jobId: context.jobId,
          fileId: file.FileId,
        });
        const status = await parsedStatus(file, fileName, context);
        return { id: file.FileId, status, fileName, wasFoundByLookup: true };
      }
    }
    return undefined;
  }

  /** The found file's status once parsed, when the job waits for parsing (as `uploadDocument` does by default). */
  async function parsedStatus(
    file: KnowledgeBaseListed,
    fileName: string,
    context: IngestFlowContext,
  ): Promise<string> {
    const status = file.Status ?? 'UNKNOWN';
    const isWaiting = context.options.wait !== false || context.options.indexId !== undefined;
    if (!isWaiting) return status;
    checkParsed(status, file, fileName);
    if (client.describeFile === undefined || readyStates.has(status)) return status;
    const timeoutMs = typeof context.options.timeoutMs === 'number' ? context.options.timeoutMs : 3_600_000;
    return pollUntil(
      async ({ signal }) => {
        const described = await client.describeFile!(file.FileId, { signal: signal ?? context.signal });
        const now = described.Status ?? 'UNKNOWN';
        checkParsed(now, described, fileName);
        return readyStates.has(now) ? { done: true, value: now } : { done: false, value: now };
      },
      {
        signal: context.signal,
        timeoutMs,
        initialDelayMs: 1000,
        maxDelayMs: 15_000,
        what: `${fileName} (${file.FileId}) to be parsed`,
      },
    );
  }

  return {
    name,
    async lookup(_source, context) {
      const state = await context.steps.peek('add-file', { signal: context.signal });
      return state.state === 'done' ? (state.value as IngestResult) : undefined;
    },
    async upload(source, context) {
      const uploadOptions: { [key: string]: JsonValue | AbortSignal | undefined } = {};
      for (const key of Object.keys(context.options)) {
        if (!(uploadOptionNames as readonly string[]).includes(key)) {
          throw new InvalidInputError(
            'INVALID_OPTIONS',
            `kb: unknown option ${JSON.stringify(key)} (known: ${uploadOptionNames.join(', ')})`,
          );
        }
        uploadOptions[key] = context.options[key];
      }
      return context.steps.once<IngestResult>(
        'add-file',
        {
          run: async () => {
            const document = await client.uploadDocument(source, {
              ...uploadOptions,
              ...(context.fingerprint.md5 === undefined ? {} : { md5: context.fingerprint.md5 }),
              signal: context.signal,
            });
            await context.steps.claim(document.fileId, { signal: context.signal });
            return {
              id: document.fileId,
              status: document.status ?? 'ADDED',
              fileName: document.fileName,
              md5: document.md5,
              sizeBytes: document.sizeBytes,
            };
          },
          settle: ({ startedAtMs }) => findAddedSince(source, context, startedAtMs),
        },
        { signal: context.signal },
      );
    },
  };
}

/** The states a document is ready in (kb-lease README, step 6). */
const readyStates = new Set(['PARSE_SUCCESS', 'FILE_IS_READY']);

/** A found file that failed to parse fails its job for good, as `uploadDocument` would have (`PARSE_FAILED`). */
function checkParsed(status: string, file: KnowledgeBaseListed, fileName: string): void {
  if (!/FAILED$/.test(status)) return;
  const message = (file as { ParseErrorMessage?: unknown }).ParseErrorMessage;
  throw new UnrecoverableError(
    `PARSE_FAILED: ${fileName} (${file.FileId}) is ${status}${typeof message === 'string' && message ? `: ${message}` : ''}`,
  );
}

function stringOption(context: IngestFlowContext, key: string): string | undefined {
  const value = context.options[key];
  return typeof value === 'string' ? value : undefined;
}

/** The last segment of a path or URL path. */
function baseName(source: string): string {
  const path = /^https?:\/\//i.test(source) ? decodeURIComponent(new URL(source).pathname) : source;
  return path.split(/[\\/]/).pop() ?? path;
}

/** ListFile matches `FileName` without its extension (spec bailian-data-api §3.5). */
function stem(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** `CreateTime` is `yyyy-MM-dd HH:mm:ss` in UTC+8 (spec bailian-data-api §3.4). */
function parseCreateTime(value: string | null | undefined): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value ?? '');
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) - 8 * 3_600_000;
}
