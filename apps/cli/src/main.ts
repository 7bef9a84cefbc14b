import { CommanderError } from 'commander';
import { exitCodes, ItemsFailedError, UsageError } from './cli-errors.js';
import { createProgram } from './create-program.js';
import { formatError, knownSecrets } from './format-error.js';

/** Why the work stopped: Ctrl-C or a termination request. */
class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  readonly code = 'INTERRUPTED';
  constructor(readonly signalName: NodeJS.Signals) {
    super(`interrupted by ${signalName}`);
  }
}

const controller = new AbortController();
const onSignal = (signalName: NodeJS.Signals) => {
  // A second Ctrl-C does not wait for the cleanup.
  if (controller.signal.aborted) process.exit(exitCodes.interrupted);
  controller.abort(new InterruptedError(signalName));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// A reader that closed early (`mstudio hash * | head -n1`) is not a failure: like `head`-style tools, stop quietly
// with exit 0, whatever command or output mode was writing. Any other stream error stays an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(exitCodes.ok);
    throw error;
  });
}

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
const isDebug = process.argv.includes('--debug');

async function main(): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(process.argv);
    return exitCodes.ok;
  } catch (error) {
    return exitCodeOf(error);
  }
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help, or the version).
    return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`mstudio: ${error.message}\n(run with --help for usage)\n`);
    return exitCodes.usage;
  }
  if (error instanceof ItemsFailedError) return exitCodes.itemsFailed;
  if (controller.signal.aborted) {
    const reason = controller.signal.reason as InterruptedError;
    process.stderr.write(`mstudio: ${reason.message}\n`);
    return reason.signalName === 'SIGTERM' ? 143 : exitCodes.interrupted;
  }
  process.stderr.write(`mstudio: ${formatError(error, knownSecrets(), isDebug)}\n`);
  return exitCodes.itemsFailed;
}

main().then((code) => process.exit(code));
