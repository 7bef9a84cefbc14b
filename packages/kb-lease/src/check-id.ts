import { InvalidInputError } from '@x/transport';

/** The ids a caller hands the client, with the error code of each. @internal */
const idCodes = {
  FileId: 'INVALID_FILE_ID',
  CategoryId: 'INVALID_CATEGORY_ID',
  IndexId: 'INVALID_INDEX_ID',
  JobId: 'INVALID_JOB_ID',
} as const;

/** The documented forms, for the error message (spec §3.3, §3.7). */
const examples: Record<keyof typeof idCodes, string> = {
  FileId: '"file_<32 hex>_<digits>"',
  CategoryId: '"cate_…" or "default"',
  IndexId: '"jkurxhju6b"',
  JobId: 'the Id SubmitIndexJob answered',
};

/**
 * Checks an id before it goes into a request path or query: a `FileId` (`file_<32hex>_<digits>`, spec §3.3), a
 * `CategoryId` (`cate_…`, or `default`, spec §3.3), an `IndexId` (e.g. `jkurxhju6b`, spec §3.7) or a `JobId`. The check
 * is lenient, so every documented form passes and a form the service adds later most likely does too: 1 to 128
 * letters, digits, `_` and `-`. What could change the request (`/`, `..`, `?`, `%`, spaces) never reaches the wire.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_FILE_ID`, `INVALID_CATEGORY_ID`, `INVALID_INDEX_ID` or
 * `INVALID_JOB_ID`, naming the value.
 * @internal
 */
export function checkId(kind: keyof typeof idCodes, value: unknown): asserts value is string {
  if (typeof value === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(value)) return;
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value)
      : typeof value;
  throw new InvalidInputError(
    idCodes[kind],
    `Expected a ${kind} such as ${examples[kind]} (1 to 128 letters, digits, "_" or "-"), got ${shown}`,
  );
}
