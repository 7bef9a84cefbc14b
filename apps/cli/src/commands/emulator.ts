import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { FaultPlanOptions, FaultRule } from '@x/emulator';
import { InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../cli-errors.js';
import type { CommandModule } from '../create-program.js';

/**
 * `mstudio emulator`: starts @x/emulator, prints its URL and its web console's (`<url>/__emulator/`) once it listens
 * (and the default account's variables with `--print-env`), and stops cleanly on SIGINT / SIGTERM (exit 0).
 */
export const emulatorCommand: CommandModule = (program, runtime) => {
  program
    .command('emulator')
    .description('run a local Model Studio (temporary storage + OSS, Files API, Bailian data API)')
    .addOption(
      new Option('--port <port>', 'port to listen on (0: any free port)').default(4010).argParser(parsePort),
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      'keep uploaded bodies in this folder (default: a temporary folder, removed on exit)',
    )
    .option('--faults <file>', 'a JSON fault plan: { "seed": 1, "rules": [...] } or a list of rules')
    .option('--print-env', 'print `export` lines for the default account (MSTUDIO_ENDPOINT, keys, workspace)')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio emulator
  $ mstudio emulator --port 0 --print-env > emulator.env &
  $ until [ -s emulator.env ]; do sleep 0.2; done; . ./emulator.env   once it listens, its variables
  $ mstudio emulator --faults faults.json                     e.g. [{"route":"AddFile","fault":{"type":"status","status":503}}]`,
    )
    .action(async (options: EmulatorOptions, command) => {
      const cli = runtime.context(command);
      // Loaded only here: the other commands never pay for the emulator.
      const { createEmulator, validateFaultRule } = await import('@x/emulator');
      const faults =
        options.faults === undefined ? undefined : await readFaultPlan(options.faults, validateFaultRule);
      const emulator = await createEmulator({
        port: options.port,
        host: options.host,
        ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
        ...(faults !== undefined && { faults }),
      });
      const { account } = emulator;
      const consoleUrl = `${emulator.url}/__emulator/`;
      const env = {
        MSTUDIO_ENDPOINT: emulator.url,
        DASHSCOPE_API_KEY: account.apiKey,
        ALIBABA_CLOUD_ACCESS_KEY_ID: account.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: account.accessKeySecret,
        BAILIAN_WORKSPACE_ID: account.workspaceId,
      };
      if (cli.isJson) {
        cli.result({
          event: 'listening',
          url: emulator.url,
          console: consoleUrl,
          ...(options.printEnv && { env }),
        });
      } else if (options.printEnv) {
        // A file of these lines can be sourced as it is: the URL line is a comment. One write, so a file that is not
        // empty is complete (`until [ -s emulator.env ]; do sleep 0.2; done` waits for it).
        cli.result(
          {},
          [
            `# Model Studio emulator listening on ${emulator.url}, web console ${consoleUrl} (the default account's fake keys below)`,
            ...Object.entries(env).map(([name, value]) => `export ${name}=${value}`),
          ].join('\n'),
        );
      } else {
        cli.result({}, `Model Studio emulator listening on ${emulator.url}`);
        cli.result({}, `Web console: ${consoleUrl}`);
        cli.info(
          'Stop it with Ctrl-C. `mstudio emulator --print-env` prints the variables that point clients at it.',
        );
      }
      if (!cli.signal.aborted) await once(cli.signal, 'abort');
      await emulator.close();
      cli.info('emulator stopped');
      if (cli.isJson) cli.result({ event: 'stopped' });
    });
};

interface EmulatorOptions {
  readonly port: number;
  readonly host: string;
  readonly dataDir?: string;
  readonly faults?: string;
  readonly printEnv?: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError('a port is 0..65535');
  return port;
}

/** Reads `--faults FILE`: `{ seed?, rules }` or a bare list of rules, each checked by the emulator's validator. */
async function readFaultPlan(
  file: string,
  validateFaultRule: (rule: unknown) => void,
): Promise<FaultPlanOptions> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--faults ${file}: ${(error as Error).message}`);
  }
  const plan = (Array.isArray(parsed) ? { rules: parsed } : parsed) as { seed?: unknown; rules?: unknown };
  if (typeof plan !== 'object' || plan === null || !Array.isArray(plan.rules ?? [])) {
    throw new UsageError(`--faults ${file}: expected { "seed"?: number, "rules": [...] } or a list of rules`);
  }
  if (plan.seed !== undefined && typeof plan.seed !== 'number') {
    throw new UsageError(`--faults ${file}: "seed" must be a number`);
  }
  const rules = (plan.rules ?? []) as FaultRule[];
  rules.forEach((rule, index) => {
    try {
      validateFaultRule(rule);
    } catch (error) {
      throw new UsageError(`--faults ${file}: rule ${index + 1}: ${(error as Error).message}`);
    }
  });
  return { ...(plan.seed !== undefined && { seed: plan.seed as number }), rules };
}
