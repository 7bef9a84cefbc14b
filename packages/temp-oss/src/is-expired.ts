/** How long an uploaded file stays readable: 48 hours from the upload. */
export const fileLifetimeMs = 48 * 60 * 60 * 1000;

/** Options of {@link isExpired}. */
export interface IsExpiredOptions {
  /**
   * The time to compare with, in milliseconds since the epoch or as a `Date`.
   * @default Date.now()
   */
  now?: number | Date;
  /**
   * Counts a URL as expired this long before it really is, so a model call started now does not race the deletion.
   * @default 0
   */
  marginMs?: number;
}

/**
 * Whether an `oss://` URL from temporary storage has passed its 48 hours (the service deletes the file then).
 *
 * @param result - What `upload` returned, or anything with its `expiresAt`.
 * @example
 * ```ts
 * if (isExpired(result, { marginMs: 10 * 60_000 })) result = await storage.upload(path, { model });
 * ```
 */
export function isExpired(result: { readonly expiresAt: Date }, options: IsExpiredOptions = {}): boolean {
  const now = options.now === undefined ? Date.now() : Number(options.now);
  return result.expiresAt.getTime() - (options.marginMs ?? 0) <= now;
}
