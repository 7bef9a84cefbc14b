import { sha256Hex } from '@x/hash';
import { InvalidInputError } from '@x/transport';
import type { SourceFingerprint } from './ingest-flow.js';

const flowNamePattern = /^[a-z][a-z0-9-]{0,31}$/;

/** @internal Checks a flow name, naming it in the error. */
export function checkFlowName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !flowNamePattern.test(name)) {
    throw new InvalidInputError(
      'INVALID_FLOW_NAME',
      `Flow name ${JSON.stringify(name)} must be 1-32 lowercase letters, digits or "-", starting with a letter`,
    );
  }
}

/**
 * The job id of one version of one source in one flow: `<flow>-<32 hex>`, the start of the SHA-256 of the flow, the
 * source and its fingerprint. The same file enqueued twice gets the same id (so it is added once); a changed file
 * (new size, mtime or MD5) gets a new one. BullMQ forbids ids that look like integers or contain `:`; these never do.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_FLOW_NAME` for a flow name outside `[a-z][a-z0-9-]{0,31}`.
 * @example
 * ```ts
 * ingestJobId('kb', '/data/report.pdf', { sizeBytes: 1024, mtimeMs: 1760000000000 }); // 'kb-3f9c...'
 * ```
 */
export function ingestJobId(flow: string, source: string, fingerprint: SourceFingerprint = {}): string {
  checkFlowName(flow);
  const parts = [
    flow,
    source,
    fingerprint.md5 ?? '',
    fingerprint.md5 === undefined ? String(fingerprint.sizeBytes ?? '') : '',
    fingerprint.md5 === undefined ? String(fingerprint.mtimeMs ?? '') : '',
  ];
  return `${flow}-${sha256Hex(parts.join('\u0000')).slice(0, 32)}`;
}
