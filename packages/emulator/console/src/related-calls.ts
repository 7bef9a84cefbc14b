import type { CallRecord } from '../../src/call-record.js';

/**
 * The calls behind a table row: those that name one of its identifiers as a subject (or an upload folder holding
 * it), or carry one in their path.
 */
export function relatedCallIds(calls: readonly CallRecord[], identifiers: readonly string[]): number[] {
  const ids = identifiers.filter((identifier) => identifier !== '');
  return calls
    .filter((call) =>
      ids.some(
        (identifier) =>
          call.path.includes(identifier) ||
          call.path.includes(encodeURIComponent(identifier)) ||
          call.subjects.some((subject) => subject === identifier || identifier.startsWith(`${subject}/`)),
      ),
    )
    .map((call) => call.id);
}
