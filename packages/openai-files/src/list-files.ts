import { TransportError } from '@x/transport';
import type { ZodType } from 'zod';
import { toCreatedTime } from './created-time.js';
import type { FilesContext } from './files-context.js';
import { type FileList, type FileObject, fileListSchema } from './openai-files-api.js';
import type { ListFilters, ListOptions } from './openai-files-options.js';

/** The query of one page: filters in the documented wire names (seed 003, "參數說明"). @internal */
export function listQuery(options: ListOptions): Record<string, string | number | undefined> {
  return {
    after: options.after,
    limit: options.limit,
    create_before:
      options.createdBefore === undefined ? undefined : toCreatedTime(options.createdBefore, 'createdBefore'),
    create_after:
      options.createdAfter === undefined ? undefined : toCreatedTime(options.createdAfter, 'createdAfter'),
    purpose: options.purpose,
  };
}

/** One page of `GET /files`. @internal */
export async function listPage(context: FilesContext, options: ListOptions): Promise<FileList> {
  context.assertOpen();
  const query = listQuery(options);
  const response = await context.send({
    method: 'GET',
    path: '/files',
    query,
    operation: 'ListFiles',
    limitKey: context.limitKey('files'),
    schema: fileListSchema as unknown as ZodType<FileList>,
    signal: options.signal,
  });
  return response.body;
}

/**
 * Every file, page after page: each page starts after the last id of the one before (seed 003, "after"). Stops on
 * `has_more: false` or an empty page; a cursor the service hands back twice ends the iteration with an error
 * instead of looping forever.
 *
 * @throws `TransportError` `LIST_CURSOR_REPEATED` when a page ends on a cursor already used.
 * @internal
 */
export async function* listEvery(context: FilesContext, filters: ListFilters & { after?: string }) {
  // Checked before the first request, so a bad date fails at the first `next()` with nothing sent.
  listQuery(filters);
  const usedCursors = new Set<string>();
  let after = filters.after;
  if (after !== undefined) usedCursors.add(after);
  for (;;) {
    filters.signal?.throwIfAborted();
    const page = await listPage(context, { ...filters, after });
    const files: FileObject[] = page.data;
    for (const file of files) yield file;
    if (files.length === 0 || page.has_more !== true) return;
    const cursor = files[files.length - 1]!.id;
    if (usedCursors.has(cursor)) {
      throw new TransportError(
        'LIST_CURSOR_REPEATED',
        `GET /files: the service answered has_more with a page ending on ${cursor} again; stopping instead of looping`,
        { operation: 'ListFiles' },
      );
    }
    usedCursors.add(cursor);
    after = cursor;
  }
}
