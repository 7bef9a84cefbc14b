import { InvalidInputError } from '@x/transport';
import type { CreatedTime } from './openai-files-options.js';

/** The service's own time zone: it reads `create_before` / `create_after` as UTC+8 (China and Singapore time). */
const serviceOffsetMs = 8 * 60 * 60 * 1000;

/** The four documented forms (seed 003, "參數說明": `20250306123000`, `2025-11-12 10:10:10`, `2025-11-12`, `20251112`). */
const documentedForms: readonly RegExp[] = [
  /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/,
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/,
  /^(\d{4})-(\d{2})-(\d{2})$/,
  /^(\d{4})(\d{2})(\d{2})$/,
];

/**
 * Turns a `createdBefore` / `createdAfter` value into the string sent as `create_before` / `create_after`: a `Date`
 * becomes `yyyyMMddHHmmss` in UTC+8 (the service's time zone); a string must be one of the documented forms and a
 * real date, and is sent as it is.
 *
 * @param name - The option's name, for the error.
 * @throws `InvalidInputError` `INVALID_OPTIONS` naming the value and the accepted forms.
 * @internal
 */
export function toCreatedTime(value: CreatedTime, name: string): string {
  if (value instanceof Date) {
    const epochMs = value.getTime();
    if (Number.isNaN(epochMs)) throw new InvalidInputError('INVALID_OPTIONS', `${name}: invalid Date`);
    const local = new Date(epochMs + serviceOffsetMs);
    const pad = (part: number, width = 2) => String(part).padStart(width, '0');
    return (
      pad(local.getUTCFullYear(), 4) +
      pad(local.getUTCMonth() + 1) +
      pad(local.getUTCDate()) +
      pad(local.getUTCHours()) +
      pad(local.getUTCMinutes()) +
      pad(local.getUTCSeconds())
    );
  }
  for (const form of documentedForms) {
    const match = form.exec(value);
    if (!match) continue;
    const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number) as number[];
    const date = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
    const isReal =
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month! - 1 &&
      date.getUTCDate() === day &&
      date.getUTCHours() === hour &&
      date.getUTCMinutes() === minute &&
      date.getUTCSeconds() === second;
    if (isReal) return value;
    break;
  }
  throw new InvalidInputError(
    'INVALID_OPTIONS',
    `${name}: "${value}" is not a date in a documented form (20250306123000, 2025-11-12 10:10:10, 2025-11-12 or 20251112, UTC+8) nor a Date`,
  );
}
