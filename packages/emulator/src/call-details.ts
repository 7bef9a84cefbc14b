import type { ServerResponse } from 'node:http';

/** What a call record says beyond its status: why it was refused, and what it touched. */
export interface CallDetails {
  /** Why the request was refused, in words, or `undefined` for a successful call. */
  readonly reason: string | undefined;
  /** Identifiers of what the call touched, without duplicates. */
  readonly subjects: readonly string[];
}

/** Notes a surface gives about a call, and the start of the response body the core keeps to complete them. */
export interface CallNotes {
  /** Records the surface's own wording of a refusal. */
  setReason(reason: string): void;
  /** Records an identifier the call touched. */
  addSubject(subject: string): void;
  /** The call's details once it is over. */
  details(call: {
    readonly path: string;
    readonly status: number;
    readonly fault: string | undefined;
  }): CallDetails;
}

/** Response bytes kept per call to read an error message or an identifier from; longer bodies are not read. */
const maxCapturedBytes = 16 * 1024;

/** JSON fields of a successful answer that name what was created or read (Files API, getPolicy, Bailian). */
const subjectFields: readonly (readonly string[])[] = [
  ['id'],
  ['data', 'upload_dir'],
  ['Data', 'FileUploadLeaseId'],
  ['Data', 'FileId'],
  ['Data', 'JobId'],
  ['Data', 'Id'],
];

/**
 * Starts collecting the details of one call: keeps the first bytes a response writes, and what the surface notes.
 * Once the call is over, `details` gives the reason of a refusal (the surface's words, else the error body's message)
 * and the identifiers it touched (noted by the surface, `LeaseId` / `FileId` / `JobId` query values, and the ids of a JSON
 * answer).
 */
export function collectCallDetails(response: ServerResponse): CallNotes {
  let surfaceReason: string | undefined;
  const subjects = new Set<string>();
  const chunks: Buffer[] = [];
  let capturedBytes = 0;
  let isTruncated = false;
  const keep = (chunk: unknown) => {
    if (isTruncated) return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk)
          : undefined;
    if (bytes === undefined || bytes.length === 0) return;
    if (capturedBytes + bytes.length > maxCapturedBytes) {
      isTruncated = true;
      chunks.length = 0;
      return;
    }
    chunks.push(bytes);
    capturedBytes += bytes.length;
  };
  const write = response.write.bind(response) as (...parameters: unknown[]) => boolean;
  const end = response.end.bind(response) as (...parameters: unknown[]) => ServerResponse;
  response.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') keep(chunk);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];

  return {
    setReason(reason) {
      surfaceReason = reason;
    },
    addSubject(subject) {
      if (subject !== '') subjects.add(subject);
    },
    details({ path, status, fault }) {
      const body = isTruncated ? '' : Buffer.concat(chunks).toString('utf8');
      for (const subject of querySubjects(path)) subjects.add(subject);
      const parsed = body.trimStart().startsWith('{') ? parseJson(body) : undefined;
      if (status >= 200 && status < 300) {
        for (const field of subjectFields) {
          const value = pick(parsed, field);
          if (typeof value === 'string' && value !== '') subjects.add(value);
        }
      }
      return { reason: reasonOf(status, fault, surfaceReason, body, parsed), subjects: [...subjects] };
    },
  };
}

function reasonOf(
  status: number,
  fault: string | undefined,
  surfaceReason: string | undefined,
  body: string,
  parsed: unknown,
): string | undefined {
  if (status === 0) {
    return fault === undefined
      ? 'connection closed before a response was sent'
      : `injected ${fault} fault: connection dropped`;
  }
  if (status < 400) return fault === undefined ? undefined : `injected ${fault} fault`;
  const said = surfaceReason ?? errorMessage(body, parsed);
  if (fault !== undefined) return `injected ${fault} fault${said === undefined ? '' : `: ${said}`}`;
  return said ?? `status ${status}`;
}

/** `Code: Message` from the error envelopes the surfaces write (DashScope, OpenAI, Bailian JSON, OSS XML). */
function errorMessage(body: string, parsed: unknown): string | undefined {
  if (parsed !== undefined) {
    const error = pick(parsed, ['error']);
    const code = pick(error, ['code']) ?? pick(parsed, ['code']) ?? pick(parsed, ['Code']);
    const message = pick(error, ['message']) ?? pick(parsed, ['message']) ?? pick(parsed, ['Message']);
    return joinCodeAndMessage(code, message);
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return joinCodeAndMessage(code, message);
}

function joinCodeAndMessage(code: unknown, message: unknown): string | undefined {
  const codeText = typeof code === 'string' && code !== '' ? code : undefined;
  const messageText = typeof message === 'string' && message !== '' ? message : undefined;
  if (codeText !== undefined && messageText !== undefined) return `${codeText}: ${messageText}`;
  return messageText ?? codeText;
}

function querySubjects(path: string): string[] {
  const queryStart = path.indexOf('?');
  if (queryStart === -1) return [];
  const query = new URLSearchParams(path.slice(queryStart + 1));
  return ['LeaseId', 'FileId', 'JobId'].flatMap((name) => query.getAll(name)).filter((value) => value !== '');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function pick(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const name of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}
