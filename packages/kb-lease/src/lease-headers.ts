import { InvalidInputError } from '@x/transport';

/**
 * Reads `Data.Param.Headers` of an upload lease into header pairs, in the order given. The field is typed `any` in
 * every SDK (spec §3.1, §10.2): an object map (what the official samples read), a JSON object string, or the
 * `"X-bailian-extra": "…",\n"Content-Type": "…"` fragment the documentation's example shows (seed 000). Values are
 * kept exactly, an empty `Content-Type` included.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_LEASE_HEADERS` when the value is none of these shapes.
 * @example
 * ```ts
 * parseLeaseHeaders('"X-bailian-extra": "MTAw",\n"Content-Type": ""'); // [['X-bailian-extra', 'MTAw'], ['Content-Type', '']]
 * ```
 */
export function parseLeaseHeaders(value: unknown): [string, string][] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'object' && !Array.isArray(value)) return fromObject(value as Record<string, unknown>);
  if (typeof value === 'string') {
    const text = value.trim();
    for (const candidate of text.startsWith('{') ? [text] : [`{${text}}`, `{${text.replace(/,\s*$/, '')}}`]) {
      try {
        const parsed = JSON.parse(candidate) as unknown;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          return fromObject(parsed as Record<string, unknown>);
        }
      } catch {
        // Not JSON: read it as `"name": "value"` pairs below.
      }
    }
    const pairs: [string, string][] = [];
    const pattern = /"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      pairs.push([unescapeJson(match[1]!), unescapeJson(match[2]!)]);
    }
    if (pairs.length > 0) return pairs;
  }
  throw new InvalidInputError(
    'INVALID_LEASE_HEADERS',
    `The upload lease's Param.Headers is neither an object nor a "name": "value" list: ${JSON.stringify(value).slice(0, 200)}`,
  );
}

function fromObject(record: Record<string, unknown>): [string, string][] {
  return Object.entries(record)
    .filter(([, headerValue]) => headerValue !== undefined && headerValue !== null)
    .map(([name, headerValue]) => [name, String(headerValue)]);
}

function unescapeJson(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}
