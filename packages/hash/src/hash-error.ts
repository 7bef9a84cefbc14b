/** Why a hash could not be computed. */
export type HashErrorCode =
  | 'FILE_NOT_FOUND'
  | 'NOT_A_FILE'
  | 'FILE_NOT_READABLE'
  | 'READ_FAILED'
  | 'INVALID_OPTIONS';

const marker = Symbol.for('@x/hash.error');

/**
 * A file or stream could not be read for hashing. `path` names the file when there is one.
 *
 * @example
 * ```ts
 * try { await md5File('missing.pdf') } catch (error) {
 *   if (HashError.isInstance(error) && error.code === 'FILE_NOT_FOUND') console.error(error.path)
 * }
 * ```
 */
export class HashError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: HashErrorCode;
  /** The file that could not be read, if the input was a path. */
  readonly path: string | undefined;

  constructor(code: HashErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'HashError';
    this.code = code;
    this.path = options.path;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for a `HashError` from any copy of this package. */
  static isInstance(value: unknown): value is HashError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** Turns an fs error into a `HashError` that names the path. */
export function fileError(error: unknown, path: string): HashError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new HashError('FILE_NOT_FOUND', `No such file: ${path}`, { path, cause: error });
  }
  if (code === 'EISDIR') {
    return new HashError('NOT_A_FILE', `Not a file (a directory): ${path}`, { path, cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new HashError('FILE_NOT_READABLE', `Permission denied reading ${path}`, { path, cause: error });
  }
  return new HashError(
    'READ_FAILED',
    `Could not read ${path}: ${(error as Error)?.message ?? String(error)}`,
    {
      path,
      cause: error,
    },
  );
}
