import { parseCreatedTime } from './created-time.js';
import { FilesApiError } from './files-api-error.js';

/** The largest page, and the default one. */
export const maxListLimit = 2000;

const listPurposes: readonly string[] = ['file-extract', 'batch', 'batch_output'];
const dateFormats = '"20250306123000", "2025-11-12 10:10:10", "2025-11-12" or "20251112"';

/** A checked list query. An empty parameter counts as absent. */
export interface ListQuery {
  /** Files on one page, 1..2000. */
  readonly limit: number;
  /** Id of the last file of the previous page. */
  readonly after: string | undefined;
  /** Only files with this purpose. */
  readonly purpose: string | undefined;
  /** Only files created strictly before this instant (ms since the epoch). */
  readonly createdBeforeMs: number | undefined;
  /** Only files created strictly after this instant (ms since the epoch). */
  readonly createdAfterMs: number | undefined;
}

function invalid(name: string, value: string, hint: string): FilesApiError {
  return new FilesApiError(400, 'InvalidParameter', `Invalid ${name} "${value}": ${hint}.`, name);
}

/**
 * Reads `limit`, `after`, `purpose`, `create_before` and `create_after` from a list request.
 *
 * @throws {@link FilesApiError} 400 `InvalidParameter` naming the first parameter out of range or format.
 */
export function parseListQuery(parameters: URLSearchParams): ListQuery {
  const read = (name: string): string | undefined => {
    const value = parameters.get(name);
    return value === null || value === '' ? undefined : value;
  };
  const limitText = read('limit');
  const limit = limitText === undefined ? maxListLimit : Number(limitText);
  if (limitText !== undefined && (!/^\d+$/.test(limitText) || limit < 1 || limit > maxListLimit)) {
    throw invalid('limit', limitText, `use an integer from 1 to ${maxListLimit}`);
  }
  const purpose = read('purpose');
  if (purpose !== undefined && !listPurposes.includes(purpose)) {
    throw invalid('purpose', purpose, 'use "file-extract", "batch" or "batch_output"');
  }
  const instant = (name: string): number | undefined => {
    const text = read(name);
    if (text === undefined) return undefined;
    const epochMs = parseCreatedTime(text);
    if (epochMs === undefined) throw invalid(name, text, `use ${dateFormats}`);
    return epochMs;
  };
  return {
    limit,
    after: read('after'),
    purpose,
    createdBeforeMs: instant('create_before'),
    createdAfterMs: instant('create_after'),
  };
}
