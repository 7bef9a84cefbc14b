import { basename } from 'node:path';
import { createFilesClient } from '@x/openai-files';
import type { Limiter } from '@x/transport';
import { createDemoProgress } from './demo-progress.js';
import { failedRow, type SummaryRow } from './summary-table.js';

/** What the Files API flow needs from the demo. */
export interface FilesApiFlowOptions {
  /** The emulator's URL, or undefined for the real service (China (Beijing)). */
  readonly baseUrl: string | undefined;
  /** DashScope API key. */
  readonly apiKey: string;
  /** The shared Model Studio limiter (keys `filesUpload:<account>` and `files:<account>`). */
  readonly limiter: Limiter;
  /** The sample files and the purpose each is uploaded for. */
  readonly files: readonly { path: string; purpose: 'file-extract' | 'batch' }[];
  readonly signal?: AbortSignal;
}

const flow = 'Files API';

/**
 * The OpenAI-compatible Files API end to end: uploads every sample (checked before sending, streamed), finds each in
 * the file list, waits until the service processed it, and deletes it again. A row per file.
 */
export async function runFilesApiFlow(options: FilesApiFlowOptions): Promise<SummaryRow[]> {
  const files = createFilesClient({
    apiKey: options.apiKey,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    limiter: options.limiter,
  });
  const signal = options.signal;
  const progress = createDemoProgress();
  const items = options.files.map((file) => progress.item(basename(file.path)));
  const startedAtMs = performance.now();
  const rows: SummaryRow[] = [];
  try {
    for (const purpose of ['file-extract', 'batch'] as const) {
      const group = options.files
        .map((file, index) => ({ ...file, index }))
        .filter((file) => file.purpose === purpose);
      if (group.length === 0) continue;
      const uploads = await files.uploadMany(
        group.map((file) => file.path),
        {
          purpose,
          ...(signal && { signal }),
          onProgress: ({ index, loadedBytes, totalBytes }) =>
            items[group[index]!.index]?.update(loadedBytes, totalBytes),
        },
      );
      for (const result of uploads) {
        const { path, index } = group[result.index]!;
        const item = items[index]!;
        if (result.status === 'rejected') {
          rows.push(failedRow(flow, basename(path), result.reason, startedAtMs));
          continue;
        }
        const uploaded = result.value;
        try {
          item.step(`uploaded as ${uploaded.id}`);
          const isListed = await listed(files, uploaded.id, purpose, signal);
          item.step(isListed ? 'listed' : 'not in the list');
          const processed = await files.waitUntilProcessed(uploaded.id, {
            timeoutMs: 120_000,
            ...(signal && { signal }),
          });
          item.step(processed.status ?? 'processed');
          await files.delete(uploaded.id, signal ? { signal } : {});
          item.step('deleted');
          rows.push({
            flow,
            file: basename(path),
            result: isListed ? 'OK (listed, processed, deleted)' : 'FAILED not listed',
            url: uploaded.id,
            durationMs: performance.now() - startedAtMs,
          });
        } catch (error) {
          if (signal?.aborted) throw error;
          rows.push(failedRow(flow, basename(path), error, startedAtMs));
        }
      }
    }
    return rows;
  } finally {
    progress.stop();
    await files.close();
  }
}

/** True when the file appears in the list of its purpose, newest first (so on the first page here). */
async function listed(
  files: ReturnType<typeof createFilesClient>,
  id: string,
  purpose: 'file-extract' | 'batch',
  signal: AbortSignal | undefined,
): Promise<boolean> {
  for await (const file of files.listAll({ purpose, limit: 100, ...(signal && { signal }) })) {
    if (file.id === id) return true;
  }
  return false;
}
