import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createKnowledgeBaseClient, type FileData, type KnowledgeBaseClient } from '@x/kb-lease';
import { InvalidInputError } from '@x/transport';
import { Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { ItemsFailedError } from '../cli-errors.js';
import type { CommandModule } from '../create-program.js';
import { eachItem } from '../each-item.js';
import { commaList, integerIn } from '../option-parsers.js';
import { unwrapRetries } from '../unwrap-retries.js';
import { expandSources } from './kb-sources.js';
import { syncFolder } from './kb-sync.js';

/**
 * `mstudio kb ...`: Bailian knowledge-base documents through @x/kb-lease (seed 000 / seed 001: lease, PUT, AddFile
 * exactly once, DescribeFile until PARSE_SUCCESS, and into an index): upload, status, list, delete, and `sync`, which
 * keeps a knowledge base in step with a folder as `rsync` / `aws s3 sync` keep a bucket.
 */
export const kbCommand: CommandModule = (program, runtime) => {
  const kb = program
    .command('kb')
    .description('knowledge-base documents (Bailian): upload, status, list, delete, sync a folder');

  kb.command('upload')
    .description(
      'upload documents exactly once; folders and globs expand to their files (dot-files left out)',
    )
    .argument('<source...>', 'files, folders, globs ("docs/**/*.pdf") or http(s):// URLs')
    .addOption(workspaceOption())
    .option('--category <id>', 'the category (CategoryId) the documents go to', 'default')
    .addOption(tagsOption())
    .option('--index <id>', 'add each parsed document to this knowledge-base index (implies --wait)')
    .option('--wait', 'wait until each document is parsed (PARSE_SUCCESS)')
    .option('--manifest <file>', 'record each document in this JSON-lines file; a rerun skips what was added')
    .addOption(concurrencyOption())
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio kb upload handbook.pdf faq.md --tags hr,2025 --wait
  $ mstudio kb upload docs/ "manuals/**/*.pdf" --manifest upload.jsonl     rerun after Ctrl-C: nothing twice
  $ mstudio kb upload https://example.com/terms.html --index idx-123
  $ mstudio --json kb upload docs/ | jq -r .fileId`,
    )
    .action(async (sources: string[], options: UploadCommandOptions, command) => {
      const cli = runtime.context(command);
      const { documents, unmatched } = await expandSources(sources, cli.signal);
      for (const pattern of unmatched) {
        cli.failure(
          pattern,
          new InvalidInputError('FILE_NOT_FOUND', `no files match ${pattern}`, { path: pattern }),
          {
            source: pattern,
          },
        );
      }
      await withKnowledgeBase(cli, options.workspace, async (client) => {
        const progress = cli.progress();
        const items = documents.map((source) => progress.item(source));
        let failed = unmatched.length;
        try {
          const results = await client.uploadMany(documents, {
            categoryId: options.category,
            ...(options.tags.length > 0 && { tags: options.tags }),
            ...(options.index !== undefined && { indexId: options.index }),
            wait: options.wait === true || options.index !== undefined,
            ...(options.manifest !== undefined && { manifest: options.manifest }),
            concurrency: options.concurrency,
            signal: cli.signal,
            onProgress: ({ index, loadedBytes, totalBytes }) => items[index]?.update(loadedBytes, totalBytes),
          });
          progress.stop();
          for (const result of results) {
            const source = documents[result.index]!;
            if (result.status === 'fulfilled') {
              const document = result.value;
              cli.result(
                {
                  source,
                  fileId: document.fileId,
                  fileName: document.fileName,
                  status: document.status ?? null,
                  md5: document.md5,
                  sizeBytes: document.sizeBytes,
                  categoryId: document.categoryId,
                  skipped: document.skipped,
                  ...(document.indexId !== undefined && { indexId: document.indexId }),
                },
                `${document.fileId}  ${document.status ?? 'ADDED'}  ${source}${document.skipped ? '  (already added, skipped)' : ''}`,
              );
            } else {
              failed += 1;
              cli.failure(source, unwrapRetries(result.reason), { source });
            }
          }
        } finally {
          progress.stop();
        }
        if (failed > 0) throw new ItemsFailedError(failed, documents.length + unmatched.length);
      });
    });

  kb.command('status')
    .description("each document's parse state (DescribeFile)")
    .argument('<fileId...>', 'document ids (file_…)')
    .addOption(workspaceOption())
    .addHelpText(
      'after',
      `
Output: file id, status (INIT, IN_PARSE_QUEUE, PARSING, PARSE_SUCCESS, PARSE_FAILED), bytes, name, parse error.

Examples:
  $ mstudio kb status file_abc123
  $ mstudio --json kb status file_abc123 | jq -r .Status`,
    )
    .action(async (fileIds: string[], options: { workspace?: string }, command) => {
      const cli = runtime.context(command);
      await withKnowledgeBase(cli, options.workspace, (client) =>
        eachItem(cli, 'fileId', fileIds, async (fileId) => {
          const file = await client.describeFile(fileId, { signal: cli.signal });
          cli.result({ ...file }, documentLine(file));
        }),
      );
    });

  kb.command('list')
    .description('the documents of a category (ListFile), every page')
    .addOption(workspaceOption())
    .option('--category <id>', 'the category to list', 'default')
    .option('--name <name>', 'only documents with this name')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio kb list
  $ mstudio kb list --category cate_abc123 --name handbook.pdf
  $ mstudio --json kb list | jq -r 'select(.Status == "PARSE_FAILED") | .FileId'`,
    )
    .action(async (options: { workspace?: string; category: string; name?: string }, command) => {
      const cli = runtime.context(command);
      await withKnowledgeBase(cli, options.workspace, async (client) => {
        let count = 0;
        for await (const file of client.listFiles({
          categoryId: options.category,
          ...(options.name !== undefined && { fileName: options.name }),
          signal: cli.signal,
        })) {
          count += 1;
          cli.result({ ...file }, documentLine(file));
        }
        cli.info(`${count} document${count === 1 ? '' : 's'} in ${options.category}`);
      });
    });

  kb.command('delete')
    .description('delete documents (from an index first, with --index)')
    .argument('<fileId...>', 'document ids (file_…)')
    .addOption(workspaceOption())
    .option('--index <id>', 'also remove them from this knowledge-base index')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio kb delete file_abc123 file_def456
  $ mstudio kb delete --index idx-123 file_abc123`,
    )
    .action(async (fileIds: string[], options: { workspace?: string; index?: string }, command) => {
      const cli = runtime.context(command);
      await withKnowledgeBase(cli, options.workspace, (client) =>
        eachItem(cli, 'fileId', fileIds, async (fileId) => {
          if (options.index !== undefined) {
            await client.deleteIndexDocuments(options.index, [fileId], { signal: cli.signal });
          }
          await client.deleteFile(fileId, { signal: cli.signal });
          cli.result(
            { fileId, deleted: true, ...(options.index !== undefined && { indexId: options.index }) },
            `deleted ${fileId}`,
          );
        }),
      );
    });

  kb.command('sync')
    .description(
      'keep a knowledge base in step with a folder: new files uploaded, changed ones (MD5) replaced, removed ones deleted with --delete',
    )
    .argument('<dir>', 'the folder (its dot-files are left out)')
    .addOption(workspaceOption())
    .option('--index <id>', 'keep this knowledge-base index in step too')
    .option('--category <id>', 'the category new documents go to (default: default; updates keep theirs)')
    .addOption(tagsOption())
    .option('--delete', 'delete documents whose file left the folder')
    .option('-n, --dry-run', 'print the plan, change nothing')
    .option('--manifest <file>', 'the sync state (default: DIR/.mstudio-sync.<workspace>.jsonl)')
    .addOption(concurrencyOption())
    .addHelpText(
      'after',
      `
What was synced is kept in a manifest (JSON lines, fsynced at each step): a rerun compares against it, and a run
that was interrupted resumes where it stopped, adding nothing twice. Files of types a knowledge base does not take
are listed and left alone.

Examples:
  $ mstudio kb sync docs/ --dry-run                    the plan: upload, update, delete
  $ mstudio kb sync docs/ --index idx-123 --delete
  $ mstudio --json kb sync docs/ | jq -c 'select(.action)'`,
    )
    .action(async (dir: string, options: SyncCommandOptions, command) => {
      const cli = runtime.context(command);
      const folder = resolve(dir);
      const stats = await stat(folder).catch(() => undefined);
      if (!stats?.isDirectory()) {
        throw new InvalidInputError('FOLDER_NOT_FOUND', `${dir} is not a folder`, { path: dir });
      }
      await withKnowledgeBase(cli, options.workspace, (client) =>
        syncFolder(cli, client, folder, {
          ...(options.index !== undefined && { indexId: options.index }),
          ...(options.category !== undefined && { categoryId: options.category }),
          ...(options.tags.length > 0 && { tags: options.tags }),
          isDelete: options.delete === true,
          isDryRun: options.dryRun === true,
          manifest: resolve(options.manifest ?? `${folder}/.mstudio-sync.${client.workspaceId}.jsonl`),
          concurrency: options.concurrency,
        }),
      );
    });
};

interface UploadCommandOptions {
  readonly workspace?: string;
  readonly category: string;
  readonly tags: string[];
  readonly index?: string;
  readonly wait?: boolean;
  readonly manifest?: string;
  readonly concurrency: number;
}

interface SyncCommandOptions {
  readonly workspace?: string;
  readonly index?: string;
  readonly category?: string;
  readonly tags: string[];
  readonly delete?: boolean;
  readonly dryRun?: boolean;
  readonly manifest?: string;
  readonly concurrency: number;
}

function workspaceOption(): Option {
  return new Option('-w, --workspace <id>', 'the workspace (llm-…)').env('BAILIAN_WORKSPACE_ID');
}

function tagsOption(): Option {
  return new Option('--tags <a,b>', 'tags for every document, comma-separated')
    .default([])
    .argParser(commaList);
}

function concurrencyOption(): Option {
  return new Option('-c, --concurrency <n>', 'documents worked on at once (1-64); AddFile keeps to its quota')
    .default(4)
    .argParser(integerIn(1, 64, '--concurrency'));
}

/**
 * A client of the workspace (`--workspace`, else BAILIAN_WORKSPACE_ID) at the command's endpoint, signed with the
 * transport's credential chain; closed after `work`.
 */
async function withKnowledgeBase(
  cli: CliContext,
  workspace: string | undefined,
  work: (client: KnowledgeBaseClient) => Promise<void>,
): Promise<void> {
  const endpoints = cli.endpoints();
  const workspaceId = workspace?.trim() || cli.env.BAILIAN_WORKSPACE_ID?.trim();
  if (!workspaceId) {
    throw new InvalidInputError(
      'WORKSPACE_ID_MISSING',
      'no workspace: pass --workspace llm-… or set BAILIAN_WORKSPACE_ID',
    );
  }
  const client = createKnowledgeBaseClient({
    workspaceId,
    region: endpoints.region,
    ...(endpoints.isCustom && { endpoint: endpoints.bailian }),
  });
  try {
    await work(client);
  } finally {
    await client.close();
  }
}

function documentLine(file: FileData): string {
  const parts = [file.FileId, file.Status ?? '-', `${file.SizeInBytes ?? '?'} bytes`, file.FileName ?? ''];
  if (file.ParseErrorMessage) parts.push(`(${file.ParseErrorMessage})`);
  return parts.join('  ');
}
