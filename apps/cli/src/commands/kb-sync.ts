import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { md5File } from '@x/hash';
import {
  checkDocumentSize,
  checkFileName,
  type KnowledgeBaseClient,
  type ManifestEntry,
  type UploadDocumentOptions,
  type UploadManyResult,
} from '@x/kb-lease';
import { HttpStatusError, TransportError } from '@x/transport';
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

/**
 * A manifest line: @x/kb-lease's entry (written by `uploadMany`, keyed by the absolute path), or a line this command
 * writes, which also names the file by `path`, relative to the synced folder (`/`-separated), so a folder that was
 * moved still matches its manifest. Statuses added by this command: `deleted` once `--delete` removed the document,
 * `replacing` while a new version of `fileId` is being uploaded; a line with `replacing` set records the new version
 * (`fileId`) whose predecessor (`replacing`) is still to be deleted.
 */
type SyncEntry = Omit<ManifestEntry, 'status'> & {
  readonly status: ManifestEntry['status'] | 'deleted' | 'replacing';
  /** The file's path relative to the synced folder; only on lines written by `kb sync`. */
  readonly path?: string;
  /** The document being replaced, until it is deleted. */
  readonly replacing?: string;
  /** The category of the document being replaced, which its new version goes to. */
  readonly categoryId?: string;
};

/** What the manifest says: the last entry of each path, and the replacements a previous run left unfinished. */
interface SyncState {
  readonly entries: Map<string, SyncEntry>;
  readonly replacements: Map<string, SyncEntry>;
}

interface LocalFile {
  /** Absolute. */
  readonly path: string;
  /** Relative to the folder, `/`-separated: the manifest's key. */
  readonly key: string;
  readonly size: number;
  readonly mtime: number;
}

/** One step of the plan. */
type Step =
  | { readonly action: 'upload'; readonly file: LocalFile }
  | {
      readonly action: 'update';
      readonly file: LocalFile;
      /** The document replaced. */
      readonly fileId: string;
      /** The MD5 of the file now; undefined when its new version is already uploaded (`pending.fileId`). */
      readonly md5: string | undefined;
      /** The unfinished replacement a previous run recorded. */
      readonly pending: SyncEntry | undefined;
    }
  | { readonly action: 'delete'; readonly key: string; readonly fileIds: readonly string[] };

/**
 * `kb sync DIR`: keeps a knowledge base in step with a folder, with the semantics of `rsync` / `aws s3 sync`:
 * files not synced before are uploaded (@x/kb-lease `uploadMany`, exactly once, recorded in the manifest); files
 * whose MD5 changed are replaced as @x/kb-lease's `updateDocument` does (the new version parsed first, then the old
 * one deleted); documents whose file left the folder are deleted only with `--delete`; `--dry-run` prints the plan and changes
 * nothing. A changed file whose document was deleted elsewhere is uploaded as a new one. A file whose size and mtime
 * match the manifest is not read again. The manifest is appended and fsynced at each step, so a rerun after an
 * interruption does only what is left, and AddFile calls in flight are settled by @x/kb-lease rather than repeated.
 * A replacement is recorded before it starts (`replacing`: the old file id) and again once the new version is parsed
 * (its file id), so a run interrupted in between finishes it: the new version is uploaded at most once (its lease is
 * in the manifest) and the old one is deleted, never both kept. Lines name files relative to the folder.
 */
export async function syncFolder(
  cli: CliContext,
  client: KnowledgeBaseClient,
  folder: string,
  options: SyncOptions,
): Promise<void> {
  const { signal } = cli;
  const { entries: previous, replacements } = await readManifest(options.manifest, folder);
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
    const key = keyOf(folder, path);
    if (key === undefined) continue;
    const file: LocalFile = { path, key, size: stats.size, mtime: stats.mtimeMs };
    onDisk.add(key);
    try {
      checkFileName(basename(path));
      checkDocumentSize(basename(path), file.size);
    } catch (error) {
      if (TransportError.isInstance(error) && error.code === 'UNSUPPORTED_FILE_TYPE') {
        skipped += 1;
        cli.info(`skip    ${key}  (not a knowledge-base document type)`);
      } else {
        failed += 1;
        cli.failure(key, error, { path: key });
      }
      continue;
    }
    const pending = replacements.get(key);
    if (pending?.replacing !== undefined) {
      // A previous run stopped in the middle of replacing this document: finish it.
      const isUploaded = pending.status === 'parsed' && pending.fileId !== undefined;
      const md5 = isUploaded ? undefined : (await md5File(path, { signal })).hex;
      steps.push({ action: 'update', file, fileId: pending.replacing, md5, pending });
      continue;
    }
    const entry = previous.get(key);
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
      refreshed.push({ ...entry, source: path, path: key, size: file.size, mtime: file.mtime });
    } else {
      steps.push({ action: 'update', file, fileId: entry.fileId, md5: md5.hex, pending: undefined });
    }
  }
  let kept = 0;
  for (const [key, entry] of previous) {
    if (onDisk.has(key)) continue;
    const pending = replacements.get(key);
    const fileIds = [
      ...new Set(
        [
          pending?.replacing,
          entry.status === 'added' || entry.status === 'parsed' || entry.status === 'replacing'
            ? entry.fileId
            : undefined,
        ].filter((fileId): fileId is string => fileId !== undefined),
      ),
    ];
    if (fileIds.length === 0) continue;
    if (options.isDelete) steps.push({ action: 'delete', key, fileIds });
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
      const path = step.action === 'delete' ? step.key : step.file.key;
      const fileId =
        step.action === 'upload'
          ? undefined
          : step.action === 'update'
            ? step.fileId
            : step.fileIds.join(', ');
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
  /** Uploads files through uploadMany and its manifest: a lease a previous run took is settled, never used twice. */
  const uploadFiles = async (files: readonly { file: LocalFile; md5?: string; categoryId?: string }[]) => {
    if (files.length === 0) return [];
    const items = files.map(({ file }) => progress.item(file.key, file.size));
    return client.uploadMany(
      files.map(({ file, md5, categoryId }) => ({
        source: file.path,
        ...(md5 !== undefined && { md5 }),
        ...(categoryId !== undefined && { categoryId }),
      })),
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
  };
  const manifest = await openAppender(options.manifest);
  /** A line of this command: the absolute path (what uploadMany reads) and the path relative to the folder. */
  const record = (file: LocalFile, entry: Omit<SyncEntry, 'source' | 'path'>) =>
    manifest.append({ source: file.path, path: file.key, ...entry });
  try {
    // 1. New files: uploadMany records each lease and file id in the manifest, so a rerun never adds one twice.
    const uploads = steps.filter((step) => step.action === 'upload').map((step) => step.file);
    for (const result of await uploadFiles(uploads.map((file) => ({ file })))) {
      const file = uploads[result.index]!;
      if (result.status === 'fulfilled') {
        done.upload += 1;
        const { fileId, status, md5, sizeBytes } = result.value;
        await record(file, {
          size: file.size,
          mtime: file.mtime,
          md5,
          fileId,
          status: status === 'PARSE_SUCCESS' ? 'parsed' : 'added',
        });
        cli.result(
          { action: 'upload', path: file.key, fileId, status: status ?? null, md5, sizeBytes },
          `uploaded ${file.key}  ${fileId}`,
        );
      } else {
        failed += 1;
        cli.failure(file.key, unwrapRetries(result.reason), { action: 'upload', path: file.key });
      }
    }

    for (const entry of refreshed) await manifest.append(entry);
    // 2. Changed files: the replacement is recorded, the new version parsed (and indexed), then the old one deleted.
    const updates = steps.filter((step) => step.action === 'update');
    const toUpload: { step: (typeof updates)[number]; categoryId: string | undefined; isGone: boolean }[] =
      [];
    for (const step of updates) {
      if (step.md5 === undefined) continue; // The new version was uploaded by a previous run.
      try {
        let categoryId = step.pending?.categoryId;
        let isGone = false;
        if (step.pending === undefined) {
          const old = await client.describeFile(step.fileId, { signal }).catch((error: unknown) => {
            // The document was deleted elsewhere (the console, `kb delete`): the file is uploaded as a new one.
            if (!isNotFound(error)) throw error;
            return undefined;
          });
          isGone = old === undefined;
          categoryId = isGone ? options.categoryId : (old?.CategoryId ?? 'default');
        }
        // Recorded once: on a rerun, the lines uploadMany wrote after it (a lease, a file id) must stay the last.
        if (!isGone && step.pending === undefined) {
          await record(step.file, {
            size: step.file.size,
            mtime: step.file.mtime,
            md5: step.md5,
            fileId: step.fileId,
            status: 'replacing',
            replacing: step.fileId,
            ...(categoryId !== undefined && { categoryId }),
          });
        }
        toUpload.push({ step, categoryId, isGone });
      } catch (error) {
        if (signal.aborted) throw error;
        failed += 1;
        const path = step.file.key;
        cli.failure(path, unwrapRetries(error), { action: 'update', path, fileId: step.fileId });
      }
    }
    const uploaded = new Map<(typeof updates)[number], UploadManyResult>();
    const results = await uploadFiles(
      toUpload.map(({ step, categoryId }) => ({
        file: step.file,
        md5: step.md5,
        ...(categoryId !== undefined && { categoryId }),
      })),
    );
    for (const result of results) {
      let settled = result;
      if (result.status === 'fulfilled' && result.value.status !== 'PARSE_SUCCESS') {
        // Added by an interrupted run that did not see it parsed: the new version is parsed before the old one goes.
        try {
          const file = await client.waitUntilParsed(result.value.fileId, { signal });
          settled = { ...result, value: { ...result.value, status: file.Status ?? undefined } };
        } catch (error) {
          if (signal.aborted) throw error;
          settled = { status: 'rejected', index: result.index, reason: error };
        }
      }
      uploaded.set(toUpload[result.index]!.step, settled);
    }
    progress.stop();

    for (const step of updates) {
      const path = step.file.key;
      const result = uploaded.get(step);
      if (step.md5 !== undefined && result === undefined) continue; // Failed before its upload, said above.
      const isGone = toUpload.find((item) => item.step === step)?.isGone === true;
      try {
        let document: { fileId: string; md5: string; sizeBytes: number; status: string | undefined };
        let recorded: Pick<SyncEntry, 'size' | 'mtime'> = { size: step.file.size, mtime: step.file.mtime };
        if (result === undefined) {
          const pending = step.pending!;
          document = {
            fileId: pending.fileId!,
            md5: pending.md5 ?? '',
            sizeBytes: pending.size ?? 0,
            status: 'PARSE_SUCCESS',
          };
          recorded = {
            ...(pending.size !== undefined && { size: pending.size }),
            ...(pending.mtime !== undefined && { mtime: pending.mtime }),
          };
        } else if (result.status === 'rejected') {
          if (!isGone) {
            // The old document stays; a new version that was added but failed to parse is deleted (best effort).
            const failedId = (unwrapRetries(result.reason) as { fileId?: unknown }).fileId;
            if (typeof failedId === 'string' && failedId !== step.fileId) {
              await client.deleteFile(failedId, { signal }).catch(() => undefined);
            }
            await record(step.file, { fileId: step.fileId, status: 'parsed' });
          }
          throw result.reason;
        } else {
          document = result.value;
          if (result.value.skipped && options.indexId !== undefined) {
            // Uploaded by an interrupted run, which may not have reached the index.
            const { jobId } = await client.addDocumentsToIndex(options.indexId, [document.fileId], {
              signal,
            });
            await client.waitForIndexJob(options.indexId, jobId, { documentIds: [document.fileId], signal });
          }
        }
        const line = {
          ...recorded,
          md5: document.md5,
          fileId: document.fileId,
          status: 'parsed',
        } as const;
        if (!isGone && document.fileId !== step.fileId) {
          // The new version is parsed: say so before the old one goes, so a rerun only finishes the deletion.
          if (result !== undefined) {
            await record(step.file, {
              ...line,
              replacing: step.fileId,
              ...(step.pending?.categoryId !== undefined && { categoryId: step.pending.categoryId }),
            });
          }
          await deleteDocument(client, step.fileId, options.indexId, signal);
        }
        await record(step.file, line);
        if (isGone) done.upload += 1;
        else done.update += 1;
        const { fileId, status, md5, sizeBytes } = document;
        cli.result(
          {
            action: isGone ? 'upload' : 'update',
            path,
            fileId,
            ...(isGone ? { missingFileId: step.fileId } : { replacedFileId: step.fileId }),
            status: status ?? null,
            md5,
            sizeBytes,
          },
          isGone
            ? `uploaded ${path}  ${fileId}  (its document ${step.fileId} was gone)`
            : `updated  ${path}  ${step.fileId} -> ${fileId}`,
        );
      } catch (error) {
        if (signal.aborted) throw error;
        failed += 1;
        cli.failure(path, unwrapRetries(error), { action: 'update', path, fileId: step.fileId });
      }
    }

    // 3. Files that left the folder, only with --delete: out of the index first, then the document.
    for (const step of steps) {
      if (step.action !== 'delete') continue;
      const path = step.key;
      const fileId = step.fileIds.at(-1)!;
      try {
        for (const id of step.fileIds) await deleteDocument(client, id, options.indexId, signal);
        await manifest.append({
          source: join(folder, ...step.key.split('/')),
          path,
          fileId,
          status: 'deleted',
        });
        done.delete += 1;
        cli.result({ action: 'delete', path, fileId }, `deleted  ${path}  ${step.fileIds.join(', ')}`);
      } catch (error) {
        if (signal.aborted) throw error;
        failed += 1;
        cli.failure(path, unwrapRetries(error), { action: 'delete', path, fileId });
      }
    }
  } finally {
    progress.stop();
    await manifest.close();
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

/**
 * Removes a document from the index (when one is kept in step) and deletes it; one already gone (a run interrupted
 * after DeleteFile, or deleted by hand) is what was wanted.
 */
async function deleteDocument(
  client: KnowledgeBaseClient,
  fileId: string,
  indexId: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  if (indexId !== undefined) await client.deleteIndexDocuments(indexId, [fileId], { signal });
  await client.deleteFile(fileId, { signal }).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}

/** The manifest key of an absolute path: relative to the folder, `/`-separated; undefined outside it. */
function keyOf(folder: string, path: string): string | undefined {
  const key = relative(folder, path);
  if (key === '' || key.startsWith('..') || isAbsolute(key)) return undefined;
  return key.split(sep).join('/');
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

/**
 * Reads the manifest: the last entry of each path, keyed relative to the folder (a line's `path`, or its absolute
 * `source` under the folder, as older runs and @x/kb-lease wrote it; lines of files outside the folder are left out),
 * and the replacements left unfinished (the last line this command wrote for the path has `replacing`). A line cut
 * short by a crash is ignored, as @x/kb-lease does.
 */
async function readManifest(path: string, folder: string): Promise<SyncState> {
  const entries = new Map<string, SyncEntry>();
  const replacements = new Map<string, SyncEntry>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries, replacements };
    throw error;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: SyncEntry;
    try {
      entry = JSON.parse(line) as SyncEntry;
    } catch {
      continue; // A torn last line: the state before it stands.
    }
    if (typeof entry.source !== 'string' || typeof entry.status !== 'string') continue;
    const key = typeof entry.path === 'string' ? entry.path : keyOf(folder, entry.source);
    if (key === undefined) continue;
    entries.set(key, entry);
    if (typeof entry.path !== 'string') continue;
    if (typeof entry.replacing === 'string') replacements.set(key, entry);
    else replacements.delete(key);
  }
  return { entries, replacements };
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
