import { checkId } from './check-id.js';
import type { ClientContext } from './client-context.js';
import { checkTags } from './document-checks.js';
import { type FileData, fileDataSchema, fileIdDataSchema, listFileDataSchema } from './kb-lease-api.js';

/** Options of `listFiles`. */
export interface ListFilesOptions {
  /** The category to list (ListFile requires one, spec §3.5). @default 'default' */
  categoryId?: string;
  /** Only files with this name; ListFile matches the name without its extension exactly (spec §3.5). */
  fileName?: string;
  /** Only these files (at most 20, spec §3.5). */
  fileIds?: readonly string[];
  /** Page size, 1 to 200 (spec §3.5). @default 100 */
  maxResults?: number;
  /** Aborts the listing; the iterator rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** DescribeFile: the file with every field the service sent (spec §3.4). @internal */
export async function describeFile(
  context: ClientContext,
  fileId: string,
  signal?: AbortSignal,
): Promise<FileData> {
  checkId('FileId', fileId);
  const { data } = await context.call({
    action: 'DescribeFile',
    method: 'GET',
    path: ['datacenter', 'file', fileId, ''],
    data: fileDataSchema,
    limitKey: context.limitKey('describeFile'),
    signal,
  });
  return data;
}

/** ListFile pages, following `NextToken` until it is empty (spec §3.5). @internal */
export async function* listFiles(
  context: ClientContext,
  options: ListFilesOptions = {},
): AsyncGenerator<FileData> {
  const { categoryId = 'default', fileName, fileIds, maxResults = 100, signal } = options;
  checkId('CategoryId', categoryId);
  for (const fileId of fileIds ?? []) checkId('FileId', fileId);
  let nextToken: string | undefined;
  do {
    const { data } = await context.call({
      action: 'ListFile',
      method: 'GET',
      path: ['datacenter', 'files'],
      query: {
        CategoryId: categoryId,
        FileIds: fileIds ? JSON.stringify(fileIds) : undefined,
        FileName: fileName,
        MaxResults: maxResults,
        NextToken: nextToken,
      },
      data: listFileDataSchema,
      limitKey: context.limitKey('listFile'),
      signal,
    });
    for (const file of data.FileList ?? []) yield file;
    nextToken = data.NextToken || undefined;
    const hasNext =
      data.HasNext === undefined || data.HasNext === null ? true : String(data.HasNext) === 'true';
    if (!hasNext) nextToken = undefined;
  } while (nextToken);
}

/** DeleteFile (spec §3.6). @internal */
export async function deleteFile(
  context: ClientContext,
  fileId: string,
  signal?: AbortSignal,
): Promise<void> {
  checkId('FileId', fileId);
  await context.call({
    action: 'DeleteFile',
    method: 'DELETE',
    path: ['datacenter', 'file', fileId, ''],
    data: fileIdDataSchema,
    signal,
  });
}

/** UpdateFileTag: replaces the file's tags (spec §3, seed 001's tag rules checked first). @internal */
export async function updateTags(
  context: ClientContext,
  fileId: string,
  tags: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  checkId('FileId', fileId);
  checkTags(tags);
  await context.call({
    action: 'UpdateFileTag',
    method: 'PUT',
    path: ['datacenter', 'file', fileId],
    form: { Tags: JSON.stringify(tags) },
    data: fileIdDataSchema,
    signal,
  });
}
