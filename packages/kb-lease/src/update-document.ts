import { checkId } from './check-id.js';
import type { ClientContext } from './client-context.js';
import type { DocumentInput } from './document-source.js';
import { deleteFile, describeFile } from './file-calls.js';
import { deleteIndexDocuments } from './index-calls.js';
import type { CategoryType, UploadDocumentOptions } from './kb-lease-options.js';
import { type KnowledgeBaseDocument, uploadDocument } from './upload-document.js';

/** What `updateDocument` did. */
export interface UpdatedDocument extends KnowledgeBaseDocument {
  /** The file that was replaced and deleted. */
  readonly replacedFileId: string;
}

/**
 * Replaces a document: the new version is uploaded and parsed first (and added to `indexId`, when given); only then
 * is the old file removed from the index and deleted. On any failure the old file stays as it was, and a new
 * version that failed to parse is deleted (best effort).
 *
 * @internal
 */
export async function updateDocument(
  context: ClientContext,
  fileId: string,
  input: DocumentInput,
  options: UploadDocumentOptions,
): Promise<UpdatedDocument> {
  const { signal } = options;
  checkId('FileId', fileId);
  if (options.indexId !== undefined) checkId('IndexId', options.indexId);
  const old = await describeFile(context, fileId, signal);
  const categoryId = options.categoryId ?? old.CategoryId ?? 'default';
  const document = await uploadDocument(context, input, {
    ...options,
    categoryId,
    ...(options.categoryType === undefined && old.CategoryId === undefined
      ? {}
      : { categoryType: options.categoryType ?? ('UNSTRUCTURED' as CategoryType) }),
    wait: true,
  }).catch(async (error: unknown) => {
    const failedId = (error as { fileId?: unknown }).fileId;
    if (typeof failedId === 'string' && failedId !== fileId && !signal?.aborted) {
      await deleteFile(context, failedId).catch(() => undefined);
    }
    throw error;
  });
  if (options.indexId !== undefined) await deleteIndexDocuments(context, options.indexId, [fileId], signal);
  await deleteFile(context, fileId, signal);
  return { ...document, replacedFileId: fileId };
}
