import { type FileHandle, open, readFile } from 'node:fs/promises';

/** One line of a batch manifest (JSON lines, appended and fsynced at each state change). */
export interface ManifestEntry {
  /** The source as given: a path or a URL. */
  readonly source: string;
  /** Bytes, when known. */
  readonly size?: number;
  /** The source's modification time (ms since the epoch), for local files. */
  readonly mtime?: number;
  /** The MD5 declared to the lease. */
  readonly md5?: string;
  /** The lease taken, so a rerun can settle an AddFile that was in flight. */
  readonly leaseId?: string;
  /** The file id, once AddFile succeeded. */
  readonly fileId?: string;
  /** `leased`, `added`, `parsed` or `failed`. */
  readonly status: 'leased' | 'added' | 'parsed' | 'failed';
  /** Why it failed. */
  readonly error?: string;
}

/** An append-only manifest. @internal */
export interface UploadManifest {
  /** The last entry of each source, as read when opened. */
  readonly previous: ReadonlyMap<string, ManifestEntry>;
  /** Appends an entry and fsyncs it before resolving. */
  append(entry: ManifestEntry): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/**
 * Opens (or creates) a manifest: reads every complete line (a torn last line from a crash is ignored), then appends.
 * Writes are serialised and each is fsynced, so an entry that resolved survives a crash.
 *
 * @internal
 */
export async function openUploadManifest(path: string): Promise<UploadManifest> {
  const previous = new Map<string, ManifestEntry>();
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as ManifestEntry;
      if (typeof entry.source === 'string' && typeof entry.status === 'string')
        previous.set(entry.source, entry);
    } catch {
      // A line cut short by a crash: the state before it stands.
    }
  }
  const handle: FileHandle = await open(path, 'a');
  const needsNewline = text.length > 0 && !text.endsWith('\n');
  let chain: Promise<void> = needsNewline ? handle.write('\n').then(() => undefined) : Promise.resolve();
  return {
    previous,
    append(entry) {
      const next = chain.then(async () => {
        await handle.write(`${JSON.stringify(entry)}\n`);
        await handle.sync();
      });
      chain = next.catch(() => undefined);
      return next;
    },
    async close() {
      await chain;
      await handle.close();
    },
  };
}
