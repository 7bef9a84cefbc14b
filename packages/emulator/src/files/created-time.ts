/** Offset of the service's local time (China Standard Time and Singapore time are both UTC+8). */
const serviceOffsetMs = 8 * 60 * 60 * 1000;

const formats: readonly RegExp[] = [
  /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/,
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/,
  /^(\d{4})-(\d{2})-(\d{2})$/,
  /^(\d{4})(\d{2})(\d{2})$/,
];

/**
 * Reads a `create_before` / `create_after` value in one of the four documented formats (`20250306123000`,
 * `2025-11-12 10:10:10`, `2025-11-12`, `20251112`), as the service's local time (UTC+8).
 *
 * @returns Milliseconds since the epoch, or `undefined` when the value is not one of the formats or not a real date.
 */
export function parseCreatedTime(value: string): number | undefined {
  for (const format of formats) {
    const match = format.exec(value);
    if (!match) continue;
    const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number) as number[];
    if (year === undefined || month === undefined || day === undefined) return undefined;
    const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
    const date = new Date(utcMs);
    const isReal =
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day &&
      date.getUTCHours() === hour &&
      date.getUTCMinutes() === minute &&
      date.getUTCSeconds() === second;
    return isReal ? utcMs - serviceOffsetMs : undefined;
  }
  return undefined;
}
