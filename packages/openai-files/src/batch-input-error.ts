import { InvalidInputError } from '@x/transport';

const batchMarker = Symbol.for('@x/openai-files.batch-input-error');

/**
 * A `batch` file is not valid Batch input (seed 003, "用於Batch調用": one JSON object a line with `custom_id`, `method`,
 * `url` and `body`), found before any byte was sent. Carries the first bad line's number and why it is bad. Its
 * `code` is `INVALID_BATCH_INPUT`.
 *
 * @example
 * ```ts
 * try { await files.upload('requests.jsonl', { purpose: 'batch' }) } catch (error) {
 *   if (BatchInputError.isInstance(error)) console.error(`line ${error.lineNumber}: ${error.reason}`)
 * }
 * ```
 */
export class BatchInputError extends InvalidInputError {
  /** The 1-based number of the first bad line. */
  readonly lineNumber: number;
  /** Why the line is bad, e.g. `"custom_id" "a-1" repeats line 3`. */
  readonly reason: string;

  constructor(fileName: string, lineNumber: number, reason: string) {
    super('INVALID_BATCH_INPUT', `${fileName} is not valid Batch input: line ${lineNumber}: ${reason}`);
    this.name = 'BatchInputError';
    this.lineNumber = lineNumber;
    this.reason = reason;
    Object.defineProperty(this, batchMarker, { value: true });
  }

  /** True for a `BatchInputError` from any copy of this package. */
  static override isInstance(value: unknown): value is BatchInputError {
    return InvalidInputError.isInstance(value) && batchMarker in value;
  }

  protected override details(): Record<string, unknown> {
    return { lineNumber: this.lineNumber, reason: this.reason };
  }
}
