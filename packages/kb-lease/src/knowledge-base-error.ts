import { TransportError, type TransportErrorOptions } from '@x/transport';

/** Options of a {@link KnowledgeBaseError}. */
export interface KnowledgeBaseErrorOptions extends TransportErrorOptions {
  /** The file the error is about, when there is one. */
  fileId?: string;
  /** The file's or the job's status when the error was decided (`PARSE_FAILED`, `FAILED`...). */
  status?: string;
  /** The service's `Code`, when it sent one (informative only, spec §10.4). */
  serviceCode?: string;
  /** The service's request id. */
  requestId?: string;
  /** The HTTP status of the answer that carried the failure (200 for `Success: false`). */
  httpStatus?: number;
}

/**
 * A knowledge-base step that the service answered but that did not succeed: a 200 with `Success: false`
 * (`SERVICE_FAILURE`, spec §7 and §10.4), a document that failed to parse (`PARSE_FAILED`, spec §3.4), a SESSION_FILE
 * that failed its checks (`FILE_FAILED`), an index job that failed (`INDEX_JOB_FAILED`, spec §3.7), or an AddFile whose outcome
 * could not be decided (`ADD_FILE_UNCERTAIN`). A wait that runs out of time is a `PollTimeoutError` (code `TIMEOUT`).
 *
 * @example
 * ```ts
 * if (KnowledgeBaseError.isInstance(error) && error.code === 'PARSE_FAILED') console.error(error.message)
 * ```
 */
export class KnowledgeBaseError extends TransportError {
  /** The file the error is about, when there is one. */
  readonly fileId: string | undefined;
  /** The file's or job's status when the error was decided. */
  readonly status: string | undefined;
  /** The service's `Code`, when it sent one. */
  readonly serviceCode: string | undefined;
  /** The service's request id. */
  readonly requestId: string | undefined;
  /** The HTTP status of the answer that carried the failure. */
  readonly httpStatus: number | undefined;

  constructor(code: string, message: string, options: KnowledgeBaseErrorOptions = {}) {
    super(code, message, { isRetryable: false, ...options });
    this.name = 'KnowledgeBaseError';
    this.fileId = options.fileId;
    this.status = options.status;
    this.serviceCode = options.serviceCode;
    this.requestId = options.requestId;
    this.httpStatus = options.httpStatus;
    Object.defineProperty(this, knowledgeBaseMarker, { value: true });
  }

  /** True for a `KnowledgeBaseError` from any copy of this package. */
  static override isInstance(value: unknown): value is KnowledgeBaseError {
    return TransportError.isInstance(value) && knowledgeBaseMarker in value;
  }

  protected override details(): Record<string, unknown> {
    return {
      fileId: this.fileId,
      status: this.status,
      serviceCode: this.serviceCode,
      requestId: this.requestId,
      httpStatus: this.httpStatus,
    };
  }
}

const knowledgeBaseMarker = Symbol.for('@x/kb-lease.error');
