import type { CliContext } from './cli-context.js';
import { ItemsFailedError } from './cli-errors.js';
import { unwrapRetries } from './unwrap-retries.js';

/**
 * Runs `work` for each item in turn; a failed item is named on stderr (and in `--json` under `idField`) and the rest
 * go on, with `ItemsFailedError` (exit 1) at the end. An interrupt stops at once.
 */
export async function eachItem(
  cli: CliContext,
  idField: string,
  items: readonly string[],
  work: (item: string, index: number) => Promise<void>,
): Promise<void> {
  let failed = 0;
  for (const [index, item] of items.entries()) {
    try {
      await work(item, index);
    } catch (error) {
      if (cli.signal.aborted) throw error;
      failed += 1;
      cli.failure(item, unwrapRetries(error), { [idField]: item });
    }
  }
  if (failed > 0) throw new ItemsFailedError(failed, items.length);
}
