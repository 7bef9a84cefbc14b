import { Command, Option } from 'commander';
import { type CliContext, type CliIo, createCliContext } from './cli-context.js';
import { commands } from './commands.js';
import { regions } from './endpoints.js';

/** What a command module gets: the program to add itself to, and a way to build its context in the action. */
export interface CommandRuntime {
  /** The context of the running command (global options resolved, output, progress, signal). */
  context(command: Command): CliContext;
}

/** A command module: adds one command (or a group) to the program. One file each under `commands/`. */
export type CommandModule = (program: Command, runtime: CommandRuntime) => void;

/**
 * The `mstudio` program: global options, then every command of `commands.ts`. Parsing errors are thrown (the
 * caller maps them to exit code 2), never exit the process from inside.
 */
export function createProgram(io: CliIo): Command {
  const program = new Command('mstudio')
    .description(
      'Upload files to Alibaba Cloud Model Studio (DashScope / Bailian), or run a local emulator of it.',
    )
    .version(__PACKAGE_VERSION__, '-V, --version', 'print the version')
    .option(
      '--endpoint <url>',
      'one base URL for every surface, e.g. the emulator (default: $MSTUDIO_ENDPOINT)',
    )
    .addOption(
      new Option('--region <region>', 'the service region (default: cn-beijing)').choices(
        Object.keys(regions),
      ),
    )
    .option('--json', 'print one JSON object per result on stdout, and nothing else there')
    .option('-q, --quiet', 'no progress bars and no informational lines')
    .option('--debug', 'print stack traces and causes with errors (never secrets)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Credentials come from DASHSCOPE_API_KEY (DashScope), ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET or
~/.alibabacloud/credentials (Bailian), and BAILIAN_WORKSPACE_ID. Exit codes: 0 all done, 1 some items failed,
2 usage error, 130 interrupted.

Examples:
  $ mstudio emulator --print-env > emulator.env &     start a local emulator, write its variables
  $ until [ -s emulator.env ]; do sleep 0.2; done; . ./emulator.env   once it listens, read them
  $ mstudio hash report.pdf | md5sum -c                MD5 in md5sum's format
  $ mstudio oss upload --model qwen-vl-plus cat.png    an oss:// URL valid for 48 hours
  $ mstudio doctor                                      what would break a first real call`,
    );
  program.configureHelp({ showGlobalOptions: true });
  const runtime: CommandRuntime = { context: (command) => createCliContext(command, io) };
  for (const register of commands) register(program, runtime);
  // Subcommands inherit the output and error handling of the program.
  for (const command of program.commands) inheritSettings(command, program);
  return program;
}

function inheritSettings(command: Command, program: Command): void {
  command
    .exitOverride()
    .configureOutput(program.configureOutput())
    .showHelpAfterError('(run with --help for usage)');
  for (const child of command.commands) inheritSettings(child, program);
}
