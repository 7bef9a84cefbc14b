/** Units the services state their limits in. `KB`, `MB` and `GB` are binary (1024-based), as Model Studio uses them. */
export type SizeUnit = 'bytes' | 'KB' | 'MB' | 'GB';

const unitBytes: Record<SizeUnit, number> = { bytes: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const grouped = new Intl.NumberFormat('en-US');

/**
 * A size in the unit the service uses, with the exact byte count: `100 MB (104,857,601 bytes)`. Model Studio's
 * `MB` is 1,048,576 bytes (spec performance-limits.md), so `100 MB` is 104,857,600 bytes.
 *
 * @param sizeBytes - The size in bytes.
 * @param unit - The unit to show. @default 'MB'
 * @example
 * ```ts
 * formatSize(104_857_601); // '100 MB (104,857,601 bytes)'
 * ```
 */
export function formatSize(sizeBytes: number, unit: SizeUnit = 'MB'): string {
  const exact = `${grouped.format(sizeBytes)} bytes`;
  if (unit === 'bytes') return exact;
  const value = sizeBytes / unitBytes[unit];
  const shown =
    value >= 1 || value === 0
      ? new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, useGrouping: true }).format(value)
      : new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).format(value);
  return `${shown} ${unit} (${exact})`;
}

/**
 * The message for a file over a limit, exact in both figures:
 * `100 MB (104,857,601 bytes) is over qwen-vl-plus's limit of 100 MB (104,857,600 bytes)`.
 *
 * @param sizeBytes - The file's size in bytes.
 * @param limitBytes - The limit in bytes.
 * @param limitOf - Whose limit it is, e.g. a model name or `the Files API (purpose batch)`.
 * @param unit - The unit the service states the limit in. @default 'MB'
 * @example
 * ```ts
 * throw new InvalidInputError('FILE_TOO_LARGE', formatSizeOverLimit(size, 100 * 1024 ** 2, 'qwen-vl-plus'), { path });
 * ```
 */
export function formatSizeOverLimit(
  sizeBytes: number,
  limitBytes: number,
  limitOf: string,
  unit: SizeUnit = 'MB',
): string {
  return `${formatSize(sizeBytes, unit)} is over ${limitOf}'s limit of ${formatSize(limitBytes, unit)}`;
}
