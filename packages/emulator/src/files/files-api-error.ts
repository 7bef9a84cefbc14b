import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-reply.js';

/** An error the Files API answers with: the HTTP status, the service code and a message a client can act on. */
export class FilesApiError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;
  /** Service error code, e.g. `InvalidParameter` or `Throttling.RateQuota`. */
  readonly code: string;
  /** The request parameter at fault, when there is one. */
  readonly param: string | null;

  constructor(status: number, code: string, message: string, param: string | null = null) {
    super(message);
    this.name = 'FilesApiError';
    this.status = status;
    this.code = code;
    this.param = param;
  }
}

/** The OpenAI error `type` that goes with an HTTP status. */
function errorType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * Writes an error in the OpenAI envelope `{"error":{"message","type","param","code"},"request_id"}`; the request id is
 * also in the `x-request-id` header.
 */
export function sendFilesError(response: ServerResponse, error: FilesApiError, requestId: string): void {
  sendJson(response, error.status, {
    error: { message: error.message, type: errorType(error.status), param: error.param, code: error.code },
    request_id: requestId,
  });
}
