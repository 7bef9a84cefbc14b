/** `1.2 MB`, `512 B`: sizes in decimal units, as OSS and the Files API state their limits. */
export function formatBytes(sizeBytes: number): string {
  if (sizeBytes < 1000) return `${sizeBytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = sizeBytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `47 h 59 min`, `4 min 12 s`, `12 s`: a span of time in its two largest units. */
export function formatSpan(spanMs: number): string {
  const seconds = Math.max(0, Math.round(spanMs / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}

/** `2026-11-30 17:42:08` in UTC, the emulated clock's date and time. */
export function formatDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** `17:42:08.123` in UTC, for the timeline. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 23);
}

/** `12 ms`, `1.4 s`. */
export function formatLatency(durationMs: number): string {
  return durationMs < 1000 ? `${Math.round(durationMs)} ms` : `${(durationMs / 1000).toFixed(1)} s`;
}
