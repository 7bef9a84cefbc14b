import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { md5File } from '@x/hash';
import {
  checkDocumentSize,
  checkFileName,
  type KnowledgeBaseClient,
  type ManifestEntry,
  type UploadDocumentOptions,
} from '@x/kb-lease';
import { HttpStatusError, runPool, TransportError } from '@x/transport';
import type { CliContext } from '../cli-context.js';
import { ItemsFailedError } from '../cli-errors.js';
import { unwrapRetries } from '../unwrap-retries.js';
import { filesOf } from './kb-sources.js';

/** What `kb sync` was asked to do. */
export interface SyncOptions {
  /** The knowledge-base index kept in step too. */
  readonly indexId?: string;
  /** The category of new documents (updates keep the category of the document they replace). */
  readonly categoryId?: string;
  /** Tags of new and replaced documents. */
  readonly tags?: readonly string[];
  /** Delete documents whose file left the folder (`--delete`). */
  readonly isDelete: boolean;
  /** Print the plan only (`--dry-run`). */
  readonly isDryRun: boolean;
  /** The sync state: @x/kb-lease's upload manifest (JSON lines), with `deleted` entries added by this command. */
  readonly manifest: string;
  /** Documents worked on at once. */
  readonly concurrency: number;
}

/** A manifest line: @x/kb-lease's entry, or `deleted` once `--delete` removed the document. */
type SyncEntry = Omit<ManifestEntry, 'status'> & { readonly status: ManifestEntry['status'] | 'deleted' };

interface LocalFile {
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
}

/** One step of the plan. */
type Step =
  | { readonly action: 'upload'; readonly file: LocalFile }
  | { readonly action: 'update'; readonly file: LocalFile; readonly fileId: string; readonly md5: string }
  | { readonly action: 'delete'; readonly path: string; readonly fileId: string };

/**
 * `kb sync DIR`: keeps a knowledge base in step with a folder, with the semantics of `rsync` / `aws s3 sync`:
 * files not synced before are uploaded (@x/kb-lease `uploadMany`, exactly once, recorded in the manifest); files
 * whose MD5 changed are replaced with `updateDocument` (the new version parsed first, then the old one deleted);
 * documents whose file left the folder are deleted only with `--delete`; `--dry-run` prints the plan and changes
 * nothing. A changed file whose document was deleted elsewhere is uploaded as a new one. A file whose size and mtime
 * match the manifest is not read again. The manifest is appended and fsynced at each step, so a rerun after an
 * interruption does only what is left, and AddFile calls in flight are settled by @x/kb-lease rather than repeated.
 */
export async function syncFolder(
  cli: CliContext,
  client: KnowledgeBaseClient,
  folder: string,
  options: SyncOptions,
): Promise<void> {
  const { signal } = cli;
  const previous = await readManifest(options.manifest);
  const shown = (path: string) => relative(folder, path) || basename(path);
  const steps: Step[] = [];
  const refreshed: SyncEntry[] = [];
  let unchanged = 0;
  let skipped = 0;
  let failed = 0;
  const onDisk = new Set<string>();

  for (const path of await filesOf(folder)) {
    signal.throwIfAborted();
    if (path === options.manifest) continue;
    const stats = await stat(path).catch(() => undefined);
    if (!stats?.isFile()) continue;
    const file: LocalFile = { path, size: stats.size, mtime: stats.mtimeMs };
    onDisk.add(path);
    try {
      checkFileName(basename(path));
      checkDocumentSize(basename(path), file.size);
    } catch (error) {
      if (TransportError.isInstance(error) && error.code === 'UNSUPPORTED_FILE_TYPE') {
        skipped += 1;
        cli.info(`skip    ${shown(path)}  (not a knowledge-base document type)`);
      } else {
        failed += 1;
        cli.failure(shown(path), error, { path: shown(path) });
      }
      continue;
    }
    const entry = previous.get(path);
    if (entry?.fileId === undefined || (entry.status !== 'added' && entry.status !== 'parsed')) {
      steps.push({ action: 'upload', file });
      continue;
    }
    if (entry.md5 !== undefined && entry.size === file.size && entry.mtime === file.mtime) {
      unchanged += 1;
      continue;
    }
    const md5 = await md5File(path, { signal });
    if (md5.hex === entry.md5) {
      unchanged += 1;
      // Touched but not changed: remember the new mtime, so the next run does not read it again.
      refreshed.push({ ...entry, size: file.size, mtime: file.mtime });
    } else {
      steps.push({ action: 'update', file, fileId: entry.fileId, md5: md5.hex });
    }
  }
  let kept = 0;
  for (const [path, entry] of previous) {
    if (onDisk.has(path) || entry.fileId === undefined) continue;
    if (entry.status !== 'added' && entry.status !== 'parsed') continue;
    if (relative(folder, path).startsWith('..')) continue;
    if (options.isDelete) steps.push({ action: 'delete', path, fileId: entry.fileId });
    else kept += 1;
  }
  const count = (action: Step['action']) => steps.filter((step) => step.action === action).length;
  const summary = {
    upload: count('upload'),
    update: count('update'),
    delete: count('delete'),
    unchanged,
    skipped,
    kept,
  };

  if (options.isDryRun) {
    for (const step of steps) {
      const path = shown(step.action === 'delete' ? step.path : step.file.path);
      const fileId = step.action === 'upload' ? undefined : step.fileId;
      const note =
        step.action === 'update' ? `  (replaces ${fileId})` : step.action === 'delete' ? `  (${fileId})` : '';
      cli.result(
        { action: step.action, path, ...(fileId !== undefined && { fileId }), dryRun: true },
        `${step.action.padEnd(7)} ${path}${note}`,
      );
    }
    if (kept > 0) cli.info(keptNote(kept));
    cli.result(
      { summary: { ...summary, failed }, dryRun: true },
      steps.length === 0
        ? `nothing to do: ${unchanged} unchanged`
        : `plan: ${summary.upload} to upload, ${summary.update} to update, ${summary.delete} to delete, ${unchanged} unchanged (dry run: nothing changed)`,
    );
    if (failed > 0) throw new ItemsFailedError(failed, failed + steps.length + unchanged);
    return;
  }

  const documentOptions: Omit<UploadDocumentOptions, 'signal'> = {
    ...(options.indexId !== undefined && { indexId: options.indexId }),
    ...(options.tags !== undefined && { tags: options.tags }),
  };
  const progress = cli.progress();
  const done = { upload: 0, update: 0, delete: 0 };
  try {
    // 1. New files: uploadMany records each lease and file id in the manifest, so a rerun never adds one twice.
    const uploads = steps.filter((step) => step.action === 'upload').map((step) => step.file);
    if (uploads.length > 0) {
      const items = uploads.map((file) => progress.item(shown(file.path), file.size));
      const results = await client.uploadMany(
        uploads.map((file) => file.path),
        {
          ...documentOptions,
          ...(options.categoryId !== undefined && { categoryId: options.categoryId }),
          wait: true,
          manifest: options.manifest,
          concurrency: options.concurrency,
          signal,
          onProgress: ({ index, loadedBytes, totalBytes }) => items[index]?.update(loadedBytes, totalBytes),
        },
      );
      for (const result of results) {
        const path = shown(uploads[result.index]!.path);
        if (result.status === 'fulfilled') {
          done.upload += 1;
          const { fileId, status, md5, sizeBytes } = result.value;
          cli.result(
            { action: 'upload', path, fileId, status: status ?? null, md5, sizeBytes },
            `uploaded ${path}  ${fileId}`,
          );
        } else {
          failed += 1;
          cli.failure(path, unwrapRetries(result.reason), { action: 'upload', path });
        }
      }
    }

    const manifest = await openAppender(options.manifest);
    try {
      for (const entry of refreshed) await manifest.append(entry);
      // 2. Changed files: the new version is parsed (and indexed) before the old one is deleted.
      const updates = steps.filter((step) => step.action === 'update');
      const items = updates.map((step) => progress.item(shown(step.file.path), step.file.size));
      const results = await runPool(
        updates,
        async (step, index, { signal: stepSignal }) => {
          const stepOptions: UploadDocumentOptions = {
            ...documentOptions,
            md5: step.md5,
            signal: stepSignal,
            onProgress: ({ loadedBytes, totalBytes }) => items[index]?.update(loadedBytes, totalBytes),
          };
          let isReplaced = true;
          const document = await client
            .updateDocument(step.fileId, step.file.path, stepOptions)
            .catch(async (error: unknown) => {
              // The document was deleted elsewhere (the console, `kb delete`): upload the file as a new one.
              if (!isNotFound(error) || (await isPresent(client, step.fileId, stepSignal))) throw error;
              isReplaced = false;
              return client.uploadDocument(step.file.path, {
                ...stepOptions,
                ...(options.categoryId !== undefined && { categoryId: options.categoryId }),
                wait: true,
              });
            });
          await manifest.append({
            source: step.file.path,
            size: step.file.size,
            mtime: step.file.mtime,
            md5: document.md5,
            fileId: document.fileId,
            status: 'parsed',
          });
          return { document, isReplaced };
        },
        { concurrency: options.concurrency, signal },
      );
      for (const result of results) {
        const step = updates[result.index]!;
        const path = shown(step.file.path);
        if (result.status === 'fulfilled') {
          const { document, isReplaced } = result.value;
          const { fileId, status, md5, sizeBytes } = document;
          if (isReplaced) done.update += 1;
          else done.upload += 1;
          cli.result(
            {
              action: isReplaced ? 'update' : 'upload',
              path,
              fileId,
              ...(isReplaced ? { replacedFileId: step.fileId } : { missingFileId: step.fileId }),
              status: status ?? null,
              md5,
              sizeBytes,
            },
            isReplaced
              ? `updated  ${path}  ${step.fileId} -> ${fileId}`
              : `uploaded ${path}  ${fileId}  (its document ${step.fileId} was gone)`,
          );
        } else {
          failed += 1;
          cli.failure(path, unwrapRetries(result.reason), { action: 'update', path, fileId: step.fileId });
        }
      }
      progress.stop();

      // 3. Files that left the folder, only with --delete: out of the index first, then the document.
      for (const step of steps) {
        if (step.action !== 'delete') continue;
        const path = shown(step.path);
        try {
          if (options.indexId !== undefined) {
            await client.deleteIndexDocuments(options.indexId, [step.fileId], { signal });
          }
          await client.deleteFile(step.fileId, { signal }).catch((error: unknown) => {
            // Already gone (a run interrupted after DeleteFile, or deleted by hand): the goal is reached.
            if (!isNotFound(error)) throw error;
          });
          await manifest.append({ source: step.path, fileId: step.fileId, status: 'deleted' });
          done.delete += 1;
          cli.result({ action: 'delete', path, fileId: step.fileId }, `deleted  ${path}  ${step.fileId}`);
        } catch (error) {
          if (signal.aborted) throw error;
          failed += 1;
          cli.failure(path, unwrapRetries(error), { action: 'delete', path, fileId: step.fileId });
        }
      }
    } finally {
      await manifest.close();
    }
  } finally {
    progress.stop();
  }
  if (kept > 0) cli.info(keptNote(kept));
  const total = done.upload + done.update + done.delete;
  cli.result(
    {
      summary: {
        uploaded: done.upload,
        updated: done.update,
        deleted: done.delete,
        unchanged,
        skipped,
        kept,
        failed,
      },
    },
    total === 0 && failed === 0
      ? `nothing to do: ${unchanged} unchanged`
      : `${done.upload} uploaded, ${done.update} updated, ${done.delete} deleted, ${unchanged} unchanged${failed > 0 ? `, ${failed} failed` : ''}`,
  );
  if (failed > 0) throw new ItemsFailedError(failed, failed + total + unchanged);
}

function keptNote(kept: number): string {
  return `${kept} document${kept === 1 ? '' : 's'} whose file left the folder kept (--delete removes them)`;
}

/**
 * Whether the service says the document does not exist: a 404, or the 400 `InvalidParameter` naming `FileId` that
 * DescribeFile and DeleteFile answer for an unknown or deleted FileId.
 */
function isNotFound(error: unknown): boolean {
  const cause = unwrapRetries(error);
  if (!HttpStatusError.isInstance(cause)) return false;
  if (cause.status === 404) return true;
  return (
    cause.status === 400 && cause.serviceCode === 'InvalidParameter' && cause.message.includes('(FileId)')
  );
}

/** Whether the document still exists (DescribeFile answers); a 404 means it was deleted. */
async function isPresent(
  client: KnowledgeBaseClient,
  fileId: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  try {
    await client.describeFile(fileId, signal ? { signal } : {});
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** The last entry of each source; a line cut short by a crash is ignored, as @x/kb-lease does. */
async function readManifest(path: string): Promise<Map<string, SyncEntry>> {
  const entries = new Map<string, SyncEntry>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return entries;
    throw error;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as SyncEntry;
      if (typeof entry.source === 'string' && typeof entry.status === 'string')
        entries.set(entry.source, entry);
    } catch {
      // A torn last line: the state before it stands.
    }
  }
  return entries;
}

/** Appends entries to the manifest one at a time, each fsynced before the next step counts as done. */
async function openAppender(
  path: string,
): Promise<{ append(entry: SyncEntry): Promise<void>; close(): Promise<void> }> {
  let handle: FileHandle | undefined;
  let chain: Promise<void> = Promise.resolve();
  return {
    append(entry) {
      const next = chain.then(async () => {
        if (handle === undefined) {
          handle = await open(path, 'a');
          // A torn last line from a crash must not swallow this entry.
          const { size } = await handle.stat();
          if (size > 0) {
            const last = Buffer.alloc(1);
            const reader = await open(path, 'r');
            await reader.read(last, 0, 1, size - 1).finally(() => reader.close());
            if (last.toString() !== '\n') await handle.write('\n');
          }
        }
        await handle.write(`${JSON.stringify(entry)}\n`);
        await handle.sync();
      });
      chain = next.catch(() => undefined);
      return next;
    },
    async close() {
      await chain;
      await handle?.close();
    },
  };
}
