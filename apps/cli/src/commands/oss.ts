import { createModelStudioLimiter } from '@x/ratelimit';
import { createTempStorage } from '@x/temp-oss';
import { resolveApiKey } from '@x/transport';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { ItemsFailedError } from '../cli-errors.js';
import type { CommandModule } from '../create-program.js';

/**
 * `mstudio oss upload --model M FILE...` and the DashScope Python CLI's spelling
 * `mstudio oss.upload --model M --file F [--api_key K]`: DashScope temporary storage, one `oss://` URL per file,
 * valid 48 hours (seed 002: getPolicy -> PostObject -> oss://).
 */
export const ossCommand: CommandModule = (program, runtime) => {
  const oss = program
    .command('oss')
    .description('DashScope temporary storage: oss:// URLs for multimodal model inputs (48 hours)');
  oss
    .command('upload')
    .description('upload files and print each oss:// URL and its expiry')
    .argument('<file...>', 'files to upload')
    .requiredOption('-m, --model <model>', 'the model that will read the files (only it can)')
    .addOption(concurrencyOption())
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio oss upload --model qwen-vl-plus cat.png dog.png
  $ mstudio --json oss upload --model qwen-vl-plus cat.png     {"file":…,"url":"oss://…","expiresAt":…}`,
    )
    .action(async (files: string[], options: { model: string; concurrency: number }, command: Command) => {
      await upload(runtime.context(command), files, options);
    });

  program
    .command('oss.upload')
    .description('the DashScope Python CLI spelling of `oss upload`')
    .requiredOption('-m, --model <model>', 'the model that will read the file')
    .requiredOption('-f, --file <file>', 'a file to upload (repeat for more)', collect, [])
    .option(
      '--api_key <key>',
      'DashScope API key (prefer DASHSCOPE_API_KEY: a key here lands in shell history)',
    )
    .addOption(concurrencyOption())
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio oss.upload --model qwen-vl-plus --file cat.png`,
    )
    .action(
      async (
        options: { model: string; file: string[]; api_key?: string; concurrency: number },
        command: Command,
      ) => {
        const cli = runtime.context(command);
        if (options.api_key !== undefined) {
          cli.addSecret(options.api_key);
          cli.warn('a key given with --api_key lands in your shell history; prefer DASHSCOPE_API_KEY');
        }
        await upload(cli, options.file, { ...options, apiKey: options.api_key });
      },
    );
};

function concurrencyOption(): Option {
  return new Option('-c, --concurrency <n>', 'files uploaded at once (1-64)')
    .default(4)
    .argParser((value) => {
      const count = Number(value);
      if (!Number.isInteger(count) || count < 1 || count > 64)
        throw new InvalidArgumentError('1 to 64 files');
      return count;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function upload(
  cli: CliContext,
  files: readonly string[],
  options: { model: string; concurrency: number; apiKey?: string | undefined },
): Promise<void> {
  const endpoints = cli.endpoints();
  const apiKey = resolveApiKey(options.apiKey, cli.env);
  const limiter = createModelStudioLimiter();
  const storage = createTempStorage({ apiKey, baseUrl: endpoints.dashscope, limiter });
  const progress = cli.progress();
  const items = files.map((file) => progress.item(file));
  try {
    const results = await storage.uploadMany([...files], {
      model: options.model,
      concurrency: options.concurrency,
      signal: cli.signal,
      onProgress: ({ index, loadedBytes, totalBytes }) => items[index]?.update(loadedBytes, totalBytes),
    });
    progress.stop();
    let failed = 0;
    for (const result of results) {
      const file = files[result.index]!;
      if (result.status === 'fulfilled') {
        const { url, expiresAt, sizeBytes, model } = result.value;
        cli.result(
          { file, url, expiresAt: expiresAt.toISOString(), sizeBytes, model },
          `${url}  expires ${expiresAt.toISOString()}  ${file}`,
        );
      } else {
        failed += 1;
        cli.failure(file, result.reason, { file });
      }
    }
    if (failed > 0) throw new ItemsFailedError(failed, files.length);
  } finally {
    progress.stop();
    await storage.close();
    await limiter.close();
  }
}
