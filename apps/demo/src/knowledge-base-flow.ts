import { basename } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';
import type { Limiter } from '@x/transport';
import { createDemoProgress } from './demo-progress.js';
import { failedRow, type SummaryRow } from './summary-table.js';

/** What the knowledge-base flow needs from the demo. */
export interface KnowledgeBaseFlowOptions {
  /** The emulator's URL, or undefined for the real service (China (Beijing), public endpoint). */
  readonly endpoint: string | undefined;
  /** The Bailian workspace (`llm-…`). */
  readonly workspaceId: string;
  /** The AccessKey pair that signs the calls. */
  readonly credentials: { readonly accessKeyId: string; readonly accessKeySecret: string };
  /** The shared Model Studio limiter (keys `applyFileUploadLease:<workspace>`, `addFile:<workspace>`, ...). */
  readonly limiter: Limiter;
  /** The sample documents. */
  readonly files: readonly string[];
  /** The name of the index the documents go into. */
  readonly indexName: string;
  readonly signal?: AbortSignal;
}

const flow = 'knowledge base';

/**
 * Bailian knowledge-base documents end to end: each sample goes MD5 -> ApplyFileUploadLease -> PUT -> AddFile ->
 * DescribeFile until PARSE_SUCCESS, then the parsed documents build an index (CreateIndex, SubmitIndexJob,
 * GetIndexJobStatus until every document is FINISH). A row per document.
 */
export async function runKnowledgeBaseFlow(options: KnowledgeBaseFlowOptions): Promise<SummaryRow[]> {
  const client = createKnowledgeBaseClient({
    workspaceId: options.workspaceId,
    credentials: options.credentials,
    ...(options.endpoint === undefined ? { region: 'cn-beijing' as const } : { endpoint: options.endpoint }),
    limiter: options.limiter,
  });
  const signal = options.signal;
  const progress = createDemoProgress();
  const items = options.files.map((file) => progress.item(basename(file)));
  const startedAtMs = performance.now();
  const rows: SummaryRow[] = [];
  try {
    const uploads = await client.uploadMany(options.files, {
      concurrency: 2,
      wait: true,
      pollIntervalMs: 200,
      ...(signal && { signal }),
      onProgress: ({ index, loadedBytes, totalBytes }) => {
        items[index]?.update(loadedBytes, totalBytes);
        if (totalBytes !== undefined && loadedBytes === totalBytes) items[index]?.step('parsing');
      },
    });
    const parsed: { file: string; fileId: string; index: number }[] = [];
    for (const result of uploads) {
      const file = options.files[result.index]!;
      if (result.status === 'rejected') {
        rows.push(failedRow(flow, basename(file), result.reason, startedAtMs));
        continue;
      }
      items[result.index]?.step(result.value.status ?? 'added');
      parsed.push({ file, fileId: result.value.fileId, index: result.index });
    }
    if (parsed.length === 0) return rows;
    const documentIds = parsed.map((document) => document.fileId);
    try {
      for (const document of parsed) items[document.index]?.step('indexing');
      const { indexId, jobId } = await client.createIndex({
        name: options.indexName,
        documentIds,
        ...(signal && { signal }),
      });
      await client.waitForIndexJob(indexId, jobId, {
        documentIds,
        timeoutMs: 300_000,
        ...(signal && { signal }),
      });
      for (const document of parsed) {
        items[document.index]?.step('FINISH in the index');
        rows.push({
          flow,
          file: basename(document.file),
          result: 'OK (PARSE_SUCCESS, indexed)',
          url: `${document.fileId} in index ${indexId}`,
          durationMs: performance.now() - startedAtMs,
        });
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      for (const document of parsed) rows.push(failedRow(flow, basename(document.file), error, startedAtMs));
    }
    return rows;
  } finally {
    progress.stop();
    await client.close();
  }
}
