import { basename } from 'node:path';
import { createTempStorage, withOssResolve } from '@x/temp-oss';
import type { Limiter } from '@x/transport';
import { MultiBar, Presets } from 'cli-progress';
import OpenAI from 'openai';
import type { SummaryRow } from './summary-table.js';

/** What the temporary-storage flow needs from the demo. */
export interface TempOssFlowOptions {
  /** DashScope origin (the emulator's URL). */
  readonly baseUrl: string;
  /** DashScope API key. */
  readonly apiKey: string;
  /** The shared Model Studio limiter. */
  readonly limiter: Limiter;
  /** The sample files to upload. */
  readonly files: readonly string[];
  /** The multimodal model the files are for. */
  readonly model: string;
}

const questions: Record<string, string> = {
  '.png': 'What is in this picture?',
  '.txt': 'Summarize these notes in one sentence.',
};

/**
 * Uploads the samples to temporary storage with a progress bar per file, then asks the model about each one
 * through the OpenAI SDK, whose `fetch` is wrapped so the `oss://` URLs resolve.
 */
export async function runTempOssFlow(options: TempOssFlowOptions): Promise<SummaryRow[]> {
  const storage = createTempStorage({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    limiter: options.limiter,
  });
  const openai = new OpenAI({
    baseURL: `${options.baseUrl}/compatible-mode/v1`,
    apiKey: options.apiKey,
    fetch: withOssResolve(fetch),
  });
  const bars = new MultiBar(
    {
      format: '  {file} |{bar}| {percentage}% {value}/{total} bytes',
      hideCursor: true,
      stream: process.stdout,
      noTTYOutput: true,
      notTTYSchedule: 100,
    },
    Presets.shades_classic,
  );
  const progress = options.files.map((file) => bars.create(1, 0, { file: basename(file).padEnd(16) }));
  let isStopped = false;
  const stopBars = () => {
    if (!isStopped) bars.stop();
    isStopped = true;
  };
  const startedAtMs = performance.now();
  try {
    const uploads = await storage.uploadMany(options.files, {
      model: options.model,
      concurrency: 2,
      onProgress: ({ index, loadedBytes, totalBytes }) => {
        progress[index]?.setTotal(totalBytes ?? loadedBytes);
        progress[index]?.update(loadedBytes);
      },
    });
    stopBars();
    const rows: SummaryRow[] = [];
    for (const result of uploads) {
      const file = options.files[result.index]!;
      if (result.status === 'rejected') throw result.reason;
      const { url, expiresAt } = result.value;
      const extension = file.slice(file.lastIndexOf('.'));
      const completion = await openai.chat.completions.create({
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
      });
      rows.push({
        flow: 'temp-oss',
        file: basename(file),
        url,
        expiresAt,
        // The emulated model quotes the URL it read; the table shows the URL already, so name the file instead.
        answer: (completion.choices[0]?.message.content ?? '').replaceAll(url, basename(file)),
        durationMs: performance.now() - startedAtMs,
      });
    }
    return rows;
  } finally {
    stopBars();
    await storage.close();
  }
}
