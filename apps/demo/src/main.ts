import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createModelStudioLimiter } from '@x/ratelimit';
import { formatSummaryTable, type SummaryRow } from './summary-table.js';
import { runTempOssFlow } from './temp-oss-flow.js';

const samples = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');
const sample = (name: string) => join(samples, name);

/** Where the flows go and with which credentials. */
interface Target {
  /** The emulator's URL; undefined for the real service. */
  readonly baseUrl: string | undefined;
  readonly apiKey: string;
  readonly close: () => Promise<void>;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    // `pnpm demo -- --real` may pass the `--` on.
    args: process.argv.slice(2).filter((argument) => argument !== '--'),
    options: { real: { type: 'boolean', default: false }, yes: { type: 'boolean', default: false } },
    allowPositionals: false,
  });
  const target = values.real ? await realTarget(values.yes) : await emulatorTarget();
  if (target === undefined) return 1;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  const limiter = createModelStudioLimiter();
  const rows: SummaryRow[] = [];
  const startedAtMs = performance.now();
  try {
    console.log(
      '\nTemporary storage: getPolicy -> OSS PostObject -> oss:// URL -> a model call that resolves it',
    );
    rows.push(
      ...(await runTempOssFlow({
        baseUrl: target.baseUrl,
        apiKey: target.apiKey,
        limiter,
        files: [sample('sunset.png'), sample('trip notes.txt')],
        model: 'qwen-vl-plus',
        signal: controller.signal,
      })),
    );
  } finally {
    await limiter.close();
    await target.close();
  }
  const failed = rows.filter((row) => !row.result.startsWith('OK')).length;
  console.log(`\n${formatSummaryTable(rows)}\n`);
  console.log(
    failed === 0
      ? `Every flow OK: ${rows.length} files in ${Math.round(performance.now() - startedAtMs)} ms.`
      : `${failed} of ${rows.length} files FAILED.`,
  );
  return failed === 0 ? 0 : 1;
}

/** The embedded emulator on a free loopback port, with its default account. */
async function emulatorTarget(): Promise<Target> {
  const { createEmulator } = await import('@x/emulator');
  const emulator = await createEmulator();
  console.log(`Model Studio emulator on ${emulator.url} (no network, no credentials)`);
  return { baseUrl: emulator.url, apiKey: emulator.account.apiKey, close: () => emulator.close() };
}

/** The real service with the user's credentials, after saying what will be created and getting a yes. */
async function realTarget(isConfirmed: boolean): Promise<Target | undefined> {
  const apiKey = process.env.DASHSCOPE_API_KEY?.trim();
  if (!apiKey) {
    console.error(
      '--real needs DASHSCOPE_API_KEY (and, for the knowledge base, ALIBABA_CLOUD_ACCESS_KEY_ID, ',
    );
    console.error('ALIBABA_CLOUD_ACCESS_KEY_SECRET and BAILIAN_WORKSPACE_ID). Nothing was created.');
    return undefined;
  }
  console.log('Against the real Model Studio (China (Beijing)) with your credentials, the demo will create:');
  console.log('  - 2 objects in DashScope temporary storage (the service deletes them after 48 hours),');
  console.log('  - 2 model calls to qwen-vl-plus (billed to your account).');
  if (!isConfirmed) {
    if (!process.stdin.isTTY) {
      console.error('Run with --yes to go ahead without a prompt. Nothing was created.');
      return undefined;
    }
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question('Go ahead? [y/N] ');
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      console.log('Nothing was created.');
      return undefined;
    }
  }
  return { baseUrl: undefined, apiKey, close: async () => {} };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? `demo failed: ${error.message}` : error);
    process.exit(1);
  },
);
