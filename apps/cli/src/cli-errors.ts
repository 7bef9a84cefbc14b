/** Exit codes of `mstudio`: every command ends with one of these. */
export const exitCodes = {
  /** Everything asked for was done. */
  ok: 0,
  /** Some items failed; each was named on stderr. */
  itemsFailed: 1,
  /** The command line was wrong: unknown option, missing argument, invalid value. Nothing was done. */
  usage: 2,
  /** Interrupted (Ctrl-C); work in flight was aborted and cleaned up. */
  interrupted: 130,
} as const;

/** A mistake on the command line, found before any work: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Some items of a command failed (already reported one by one): exit code 1. */
export class ItemsFailedError extends Error {
  override readonly name = 'ItemsFailedError';
  constructor(
    readonly failed: number,
    readonly total: number,
  ) {
    super(`${failed} of ${total} failed`);
  }
}
