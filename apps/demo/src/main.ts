import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmulator } from '@x/emulator';
import { createModelStudioLimiter } from '@x/ratelimit';
import { formatSummaryTable, type SummaryRow } from './summary-table.js';
import { runTempOssFlow } from './temp-oss-flow.js';

const samples = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');

async function main(): Promise<void> {
  const emulator = await createEmulator();
  const limiter = createModelStudioLimiter();
  console.log(`Model Studio emulator on ${emulator.url}\n`);
  const rows: SummaryRow[] = [];
  try {
    console.log('Temporary storage (getPolicy -> OSS PostObject -> oss:// URL -> model call)');
    rows.push(
      ...(await runTempOssFlow({
        baseUrl: emulator.url,
        apiKey: emulator.account.apiKey,
        limiter,
        files: [join(samples, 'sunset.png'), join(samples, 'trip notes.txt')],
        model: 'qwen-vl-plus',
      })),
    );
  } finally {
    await limiter.close();
    await emulator.close();
  }
  console.log(`\n${formatSummaryTable(rows)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
