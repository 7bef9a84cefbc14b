import { InvalidArgumentError } from 'commander';
import ms from 'ms';

/**
 * Parsers of option values shared by the commands. Each throws commander's `InvalidArgumentError`, so a bad value is
 * a usage error (exit code 2) reported before any work.
 */

/** A whole number from `min` to `max`, e.g. `--concurrency 4` or `--limit 100`. */
export function integerIn(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const count = Number(value);
    if (!/^\d+$/.test(value.trim()) || count < min || count > max) {
      throw new InvalidArgumentError(`${what}: a whole number from ${min} to ${max}`);
    }
    return count;
  };
}

/**
 * A duration such as `30d`, `12h`, `90m`, `2 weeks` (the `ms` library's forms), in milliseconds. A bare number is
 * refused: `--older-than 30` could mean days or seconds.
 */
export function parseDuration(value: string): number {
  const trimmed = value.trim();
  const parsed = /^\d+(\.\d+)?$/.test(trimmed) ? undefined : ms(trimmed as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError('a duration with its unit, such as 30d, 12h, 90m or 45s');
  }
  return parsed;
}

/** A comma-separated list (`--tags a,b`), each part trimmed, empty parts dropped. */
export function commaList(value: string, previous: readonly string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  ];
}

const serviceDateForms = [
  /^\d{14}$/, // 20250306123000
  /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, // 2025-11-12 10:10:10
  /^\d{4}-\d{2}-\d{2}$/, // 2025-11-12
  /^\d{8}$/, // 20251112
];

/**
 * A `--created-after` / `--created-before` value: one of the Files API's documented forms (read by the service in
 * UTC+8, seed 003), passed on as written; or an ISO 8601 instant with its zone (`2025-11-12T10:00:00Z`), converted to
 * UTC+8 by @x/openai-files.
 */
export function parseCreatedTime(value: string): string | Date {
  const trimmed = value.trim();
  if (serviceDateForms.some((form) => form.test(trimmed))) return trimmed;
  if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) {
    const date = new Date(trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new InvalidArgumentError(
    'a date as 20250306123000, "2025-11-12 10:10:10", 2025-11-12 or 20251112 (UTC+8), or an ISO instant with its zone such as 2025-11-12T02:00:00Z',
  );
}
