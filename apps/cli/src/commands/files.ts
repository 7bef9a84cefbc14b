import { basename, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createFilesClient, type FileObject, type FilesClient } from '@x/openai-files';
import { resolveApiKey } from '@x/transport';
import { Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { ItemsFailedError, UsageError } from '../cli-errors.js';
import type { CommandModule } from '../create-program.js';
import { eachItem } from '../each-item.js';
import { integerIn, parseCreatedTime, parseDuration } from '../option-parsers.js';

/**
 * `mstudio files ...`: the OpenAI-compatible Files API (seed 003) through @x/openai-files: upload, list, get,
 * download, delete, wait, and `prune`, the seed's production advice as one command (files never expire; an account
 * holds at most 10,000 files and 100 GB, so delete the ones no longer used).
 */
export const filesCommand: CommandModule = (program, runtime) => {
  const files = program
    .command('files')
    .description('the Files API (compatible mode): documents for Qwen-Long (file-extract) and Batch inputs');

  files
    .command('upload')
    .description('upload files; each is checked (type, size, batch lines) before a byte is sent')
    .argument('<file...>', 'files to upload')
    .addOption(
      new Option('-p, --purpose <purpose>', 'what the files are for')
        .choices(['file-extract', 'batch'])
        .makeOptionMandatory(),
    )
    .addOption(concurrencyOption())
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio files upload --purpose file-extract report.pdf notes.md
  $ mstudio files upload --purpose batch requests.jsonl
  $ mstudio --json files upload -p file-extract report.pdf    {"file":"report.pdf","id":"file-fe-…",…}`,
    )
    .action(
      async (
        paths: string[],
        options: { purpose: 'file-extract' | 'batch'; concurrency: number },
        command,
      ) => {
        const cli = runtime.context(command);
        await withClient(cli, async (client) => {
          const progress = cli.progress();
          const items = paths.map((path) => progress.item(path));
          try {
            const results = await client.uploadMany(paths, {
              purpose: options.purpose,
              concurrency: options.concurrency,
              signal: cli.signal,
              onProgress: ({ index, loadedBytes, totalBytes }) =>
                items[index]?.update(loadedBytes, totalBytes),
            });
            progress.stop();
            let failed = 0;
            for (const result of results) {
              const file = paths[result.index]!;
              if (result.status === 'fulfilled') {
                cli.result({ file, ...fileJson(result.value) }, `${fileLine(result.value)}  ${file}`);
              } else {
                failed += 1;
                cli.failure(file, result.reason, { file });
              }
            }
            if (failed > 0) throw new ItemsFailedError(failed, paths.length);
          } finally {
            progress.stop();
          }
        });
      },
    );

  files
    .command('list')
    .description('list files, newest first: one page, or every page with --all')
    .addOption(purposeFilterOption())
    .option('--after <id>', 'start after this file id (the cursor of the page before)')
    .addOption(
      new Option('--limit <n>', 'files per page (1-2000; the service default is 2000)').argParser(
        integerIn(1, 2000, '--limit'),
      ),
    )
    .addOption(
      new Option(
        '--created-after <date>',
        'only files created after this time (UTC+8 forms, or ISO with a zone)',
      ).argParser(parseCreatedTime),
    )
    .addOption(
      new Option('--created-before <date>', 'only files created before this time').argParser(
        parseCreatedTime,
      ),
    )
    .option('--all', 'every page, not only the first')
    .addHelpText(
      'after',
      `
Output: id, created (UTC), bytes, purpose, status, file name.

Examples:
  $ mstudio files list --limit 20
  $ mstudio files list --all --purpose batch --created-before 2025-11-12
  $ mstudio --json files list --all | jq -r .id`,
    )
    .action(async (options: ListCommandOptions, command) => {
      const cli = runtime.context(command);
      await withClient(cli, async (client) => {
        const filters = {
          ...(options.purpose !== undefined && { purpose: options.purpose }),
          ...(options.createdAfter !== undefined && { createdAfter: options.createdAfter }),
          ...(options.createdBefore !== undefined && { createdBefore: options.createdBefore }),
          ...(options.limit !== undefined && { limit: options.limit }),
          ...(options.after !== undefined && { after: options.after }),
          signal: cli.signal,
        };
        let count = 0;
        if (options.all) {
          for await (const file of client.listAll(filters)) {
            count += 1;
            cli.result(fileJson(file), listLine(file));
          }
          cli.info(`${count} file${count === 1 ? '' : 's'}`);
          return;
        }
        const page = await client.list(filters);
        for (const file of page.data) cli.result(fileJson(file), listLine(file));
        const last = page.data.at(-1);
        if (page.has_more && last) cli.info(`more files follow: --after ${last.id} (or --all)`);
      });
    });

  files
    .command('get')
    .description('the file object of each id: size, purpose, status')
    .argument('<id...>', 'file ids (file-fe-…, file-batch-…)')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio files get file-fe-abc123
  $ mstudio --json files get file-fe-abc123 | jq .status`,
    )
    .action(async (ids: string[], _options, command) => {
      const cli = runtime.context(command);
      await withClient(cli, (client) =>
        eachItem(cli, 'id', ids, async (id) => {
          const file = await client.retrieve(id, { signal: cli.signal });
          cli.result(fileJson(file), listLine(file));
        }),
      );
    });

  files
    .command('download')
    .description("save a file's bytes (written beside the target, renamed into place once complete)")
    .argument('<id>', 'file id')
    .option('-o, --output <path>', 'where to write it; - for stdout (default: the file name, in this folder)')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio files download file-batch_output-abc123 -o results.jsonl
  $ mstudio files download file-fe-abc123 -o - | head`,
    )
    .action(async (id: string, options: { output?: string }, command) => {
      const cli = runtime.context(command);
      if (options.output === '-' && cli.isJson) {
        throw new UsageError('--json and -o - both want stdout; give -o a path');
      }
      await withClient(cli, async (client) => {
        if (options.output === '-') {
          const stream = await client.content(id, { signal: cli.signal });
          await pipeline(stream, process.stdout, { signal: cli.signal, end: false });
          return;
        }
        const target =
          options.output ?? basename((await client.retrieve(id, { signal: cli.signal })).filename || id);
        const bytes = await client.download(id, target, { signal: cli.signal, overwrite: true });
        cli.result({ id, path: resolve(target), bytes }, `${bytes} bytes  ${target}`);
      });
    });

  files
    .command('delete')
    .description('delete files by id')
    .argument('<id...>', 'file ids')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio files delete file-fe-abc123 file-batch-def456
  $ mstudio --json files list --all --purpose batch | jq -r .id | xargs mstudio files delete`,
    )
    .action(async (ids: string[], _options, command) => {
      const cli = runtime.context(command);
      await withClient(cli, (client) =>
        eachItem(cli, 'id', ids, async (id) => {
          const deleted = await client.delete(id, { signal: cli.signal });
          cli.result({ id: deleted.id, deleted: deleted.deleted }, `deleted ${deleted.id}`);
        }),
      );
    });

  files
    .command('wait')
    .description('wait until each file is processed (exit 1 if one ends in error)')
    .argument('<id...>', 'file ids')
    .addOption(
      new Option('--timeout <duration>', 'give up after this long (30s, 10m, 1h)')
        .default(600_000, '10m')
        .argParser(parseDuration),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio files wait file-fe-abc123
  $ mstudio files wait --timeout 30m file-fe-abc123 file-fe-def456`,
    )
    .action(async (ids: string[], options: { timeout: number }, command) => {
      const cli = runtime.context(command);
      await withClient(cli, (client) =>
        eachItem(cli, 'id', ids, async (id) => {
          const file = await client.waitUntilProcessed(id, {
            timeoutMs: options.timeout,
            signal: cli.signal,
          });
          cli.result(fileJson(file), listLine(file));
        }),
      );
    });

  files
    .command('prune')
    .description(
      'delete files older than a given age: files never expire, and an account holds 10,000 files / 100 GB',
    )
    .addOption(
      new Option('--older-than <duration>', 'delete files created longer ago than this (30d, 12h, 2w)')
        .default(30 * 24 * 3600_000, '30d')
        .argParser(parseDuration),
    )
    .addOption(purposeFilterOption())
    .option('-n, --dry-run', 'list what would be deleted, delete nothing')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio files prune --dry-run                      what is older than 30 days
  $ mstudio files prune --older-than 7d --purpose batch`,
    )
    .action(async (options: { olderThan: number; purpose?: ListPurpose; dryRun?: boolean }, command) => {
      const cli = runtime.context(command);
      const createdBefore = new Date(Date.now() - options.olderThan);
      await withClient(cli, async (client) => {
        const old: FileObject[] = [];
        for await (const file of client.listAll({
          createdBefore,
          ...(options.purpose !== undefined && { purpose: options.purpose }),
          signal: cli.signal,
        })) {
          // The service filters in whole seconds of UTC+8; the exact bound is kept here.
          if (file.created_at * 1000 < createdBefore.getTime()) old.push(file);
        }
        const verb = options.dryRun ? 'would delete' : 'deleted';
        let bytes = 0;
        await eachItem(
          cli,
          'id',
          old.map((file) => file.id),
          async (_id, index) => {
            const file = old[index]!;
            if (!options.dryRun) await client.delete(file.id, { signal: cli.signal });
            bytes += file.bytes;
            cli.result(
              { ...fileJson(file), deleted: !options.dryRun, ...(options.dryRun && { dryRun: true }) },
              `${verb} ${listLine(file)}`,
            );
          },
        );
        cli.info(
          `${verb} ${old.length} file${old.length === 1 ? '' : 's'} (${bytes.toLocaleString('en-US')} bytes) created before ${createdBefore.toISOString()}`,
        );
      });
    });
};

type ListPurpose = 'file-extract' | 'batch' | 'batch_output';

interface ListCommandOptions {
  readonly purpose?: ListPurpose;
  readonly after?: string;
  readonly limit?: number;
  readonly createdAfter?: string | Date;
  readonly createdBefore?: string | Date;
  readonly all?: boolean;
}

function purposeFilterOption(): Option {
  return new Option('--purpose <purpose>', 'only files with this purpose').choices([
    'file-extract',
    'batch',
    'batch_output',
  ]);
}

function concurrencyOption(): Option {
  return new Option('-c, --concurrency <n>', 'files uploaded at once (1-64; at most 3 start per second)')
    .default(3)
    .argParser(integerIn(1, 64, '--concurrency'));
}

/** A client for the command's endpoint; the key is looked up first, so a missing key stops before any work. */
async function withClient(cli: CliContext, work: (client: FilesClient) => Promise<void>): Promise<void> {
  const endpoints = cli.endpoints();
  const apiKey = resolveApiKey(undefined, cli.env);
  const client = createFilesClient({ apiKey, baseUrl: endpoints.compatible });
  try {
    await work(client);
  } finally {
    await client.close();
  }
}

/** The JSON of a file object: wire fields, plus `createdAt` as an ISO instant. */
function fileJson(file: FileObject): Record<string, unknown> {
  return {
    id: file.id,
    filename: file.filename,
    bytes: file.bytes,
    purpose: file.purpose,
    status: file.status,
    createdAt: new Date(file.created_at * 1000).toISOString(),
    ...(file.status_details != null && { statusDetails: file.status_details }),
  };
}

function fileLine(file: FileObject): string {
  return `${file.id}  ${file.status ?? '-'}  ${file.bytes} bytes`;
}

function listLine(file: FileObject): string {
  const created = new Date(file.created_at * 1000).toISOString().replace('.000Z', 'Z');
  const details = file.status === 'error' && file.status_details ? `  (${String(file.status_details)})` : '';
  return `${file.id}  ${created}  ${file.bytes}  ${file.purpose}  ${file.status ?? '-'}  ${file.filename}${details}`;
}
