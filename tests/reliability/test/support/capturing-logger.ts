import type { Logger } from '@x/transport';

/** A logger that keeps every line, fields included, as JSON (bigints as strings). */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(
        `${level} ${message} ${JSON.stringify(fields ?? {}, (_key, value) => (typeof value === 'bigint' ? String(value) : value))}`,
      );
    };
  return {
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    lines,
  };
}
