import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A DashScope-style request id (a UUID). */
export function newRequestId(): string {
  return randomUUID();
}

/** Sends a JSON body with an exact Content-Length. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Reads and discards the rest of a request body; resolves when it has ended (or the socket closed). */
export function drainRequest(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (request.readableEnded || request.destroyed) {
      resolve();
      return;
    }
    request.once('end', resolve);
    request.once('close', resolve);
    request.once('error', () => resolve());
    request.resume();
  });
}

/** Thrown by {@link readJsonBody} for a body that is too large or not JSON. */
export class RequestBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestBodyError';
  }
}

/**
 * Reads a small JSON request body (at most `maxBytes`).
 * @throws {RequestBodyError} When the body is larger than `maxBytes`, is not JSON, or nests arrays and objects deeper
 * than 256 levels (a linear scan refuses it before parsing, so no walk over it can overflow the stack).
 */
export async function readJsonBody(request: IncomingMessage, maxBytes = 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    sizeBytes += chunk.length;
    if (sizeBytes <= maxBytes) chunks.push(chunk);
  }
  // The whole body is read even when too large, so the client still receives the error response.
  if (sizeBytes > maxBytes) throw new RequestBodyError(`Request body is larger than ${maxBytes} bytes`);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  if (isNestedDeeperThan(text, maxJsonDepth)) {
    throw new RequestBodyError(`Request body is JSON nested deeper than ${maxJsonDepth} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestBodyError('Request body is not valid JSON');
  }
}

/** Deepest nesting of arrays and objects a JSON body may have; deeper bodies are refused before parsing. */
const maxJsonDepth = 256;

/** Whether JSON text nests arrays and objects deeper than `maxDepth` (one linear pass, strings skipped). */
function isNestedDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let isInString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (isInString) {
      if (character === 0x5c) index += 1;
      else if (character === 0x22) isInString = false;
    } else if (character === 0x22) {
      isInString = true;
    } else if (character === 0x5b || character === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (character === 0x5d || character === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}
