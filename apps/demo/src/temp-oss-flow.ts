import { basename } from 'node:path';
import { createTempStorage, withOssResolve } from '@x/temp-oss';
import type { Limiter } from '@x/transport';
import OpenAI from 'openai';
import { createDemoProgress } from './demo-progress.js';
import { failedRow, type SummaryRow } from './summary-table.js';

/** What the temporary-storage flow needs from the demo. */
export interface TempOssFlowOptions {
  /** DashScope origin (the emulator's URL), or undefined for the real service. */
  readonly baseUrl: string | undefined;
  /** DashScope API key. */
  readonly apiKey: string;
  /** The shared Model Studio limiter. */
  readonly limiter: Limiter;
  /** The sample files to upload. */
  readonly files: readonly string[];
  /** The multimodal model the files are for. */
  readonly model: string;
  readonly signal?: AbortSignal;
}

const flow = 'temporary storage';
const questions: Record<string, string> = {
  '.png': 'What is in this picture?',
  '.txt': 'Summarize these notes in one sentence.',
};

/**
 * Uploads the samples to temporary storage (getPolicy -> OSS PostObject -> oss:// URL), then asks the model about
 * each one through the OpenAI SDK, whose `fetch` is wrapped so the `oss://` URLs resolve. A row per file.
 */
export async function runTempOssFlow(options: TempOssFlowOptions): Promise<SummaryRow[]> {
  const storage = createTempStorage({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    limiter: options.limiter,
  });
  const openai = new OpenAI({
    baseURL: `${options.baseUrl ?? 'https://dashscope.aliyuncs.com'}/compatible-mode/v1`,
    apiKey: options.apiKey,
    fetch: withOssResolve(fetch),
  });
  const progress = createDemoProgress();
  const items = options.files.map((file) => progress.item(basename(file)));
  const startedAtMs = performance.now();
  const rows: SummaryRow[] = [];
  try {
    const uploads = await storage.uploadMany(options.files, {
      model: options.model,
      concurrency: 2,
      ...(options.signal && { signal: options.signal }),
      onProgress: ({ index, loadedBytes, totalBytes }) => items[index]?.update(loadedBytes, totalBytes),
    });
    for (const result of uploads) {
      const file = options.files[result.index]!;
      const item = items[result.index]!;
      if (result.status === 'rejected') {
        rows.push(failedRow(flow, basename(file), result.reason, startedAtMs));
        continue;
      }
      const { url } = result.value;
      const extension = file.slice(file.lastIndexOf('.'));
      try {
        item.step('asking the model');
        const completion = await openai.chat.completions.create(
          {
            model: options.model,
            messages: [
              {
                role: 'user',
                content: [
                  extension === '.png'
                    ? { type: 'image_url', image_url: { url } }
                    : { type: 'file', file: { file_data: url, filename: basename(file) } },
                  { type: 'text', text: questions[extension] ?? 'Describe this file.' },
                ],
              },
            ],
          },
          { ...(options.signal && { signal: options.signal }) },
        );
        const answer = completion.choices[0]?.message.content ?? '';
        item.step(`the model answered (${answer.length} characters)`);
        rows.push({
          flow,
          file: basename(file),
          result: 'OK (uploaded, model read it)',
          url: url,
          durationMs: performance.now() - startedAtMs,
        });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        rows.push(failedRow(flow, basename(file), error, startedAtMs));
      }
    }
    return rows;
  } finally {
    progress.stop();
    await storage.close();
  }
}
