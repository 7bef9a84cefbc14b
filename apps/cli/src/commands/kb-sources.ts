import { stat } from 'node:fs/promises';
import { glob, isDynamicPattern } from 'tinyglobby';

/**
 * Expands the command line's sources: URLs stay as they are; folders become their files (recursively, dot-files
 * left out); globs (tinyglobby) become their matches; anything else is a path, checked by the upload itself. Each
 * document appears once, in the order first named.
 */
export async function expandSources(
  sources: readonly string[],
  signal: AbortSignal,
): Promise<{ documents: string[]; unmatched: string[] }> {
  const documents = new Set<string>();
  const unmatched: string[] = [];
  for (const source of sources) {
    signal.throwIfAborted();
    if (/^https?:\/\//i.test(source)) {
      documents.add(source);
      continue;
    }
    const stats = await stat(source).catch(() => undefined);
    if (stats?.isDirectory()) {
      for (const file of await filesOf(source)) documents.add(file);
    } else if (stats === undefined && isDynamicPattern(source)) {
      const matches = (await glob(source, { onlyFiles: true, dot: false, expandDirectories: false })).sort();
      if (matches.length === 0) unmatched.push(source);
      for (const match of matches) documents.add(match);
    } else {
      documents.add(source);
    }
  }
  return { documents: [...documents], unmatched };
}

/** The files under a folder, recursively, sorted, dot-files and dot-folders left out; paths as `dir/...`. */
export async function filesOf(folder: string): Promise<string[]> {
  const matches = await glob('**/*', { cwd: folder, onlyFiles: true, dot: false, absolute: false });
  return matches.sort().map((match) => `${folder.replace(/\/+$/, '')}/${match}`);
}
