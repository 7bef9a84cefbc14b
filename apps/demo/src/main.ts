import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createModelStudioLimiter } from '@x/ratelimit';
import { runFilesApiFlow } from './files-api-flow.js';
import { runKnowledgeBaseFlow } from './knowledge-base-flow.js';
import { formatSummaryTable, type SummaryRow } from './summary-table.js';
import { runTempOssFlow } from './temp-oss-flow.js';

const samples = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');
const sample = (name: string) => join(samples, name);

/** Where the flows go and with which credentials. */
interface Target {
  /** The emulator's URL; undefined for the real service. */
  readonly baseUrl: string | undefined;
  readonly apiKey: string;
  /** The AccessKey pair and workspace of the knowledge-base flow. */
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly workspaceId: string;
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
    console.log('\nFiles API: upload (checked, streamed) -> list -> wait until processed -> delete');
    rows.push(
      ...(await runFilesApiFlow({
        baseUrl: target.baseUrl,
        apiKey: target.apiKey,
        limiter,
        files: [
          { path: sample('trip notes.txt'), purpose: 'file-extract' },
          { path: sample('handbook.md'), purpose: 'file-extract' },
          { path: sample('sunset.png'), purpose: 'file-extract' },
          { path: sample('requests.jsonl'), purpose: 'batch' },
        ],
        signal: controller.signal,
      })),
    );
    console.log(
      '\nKnowledge base: MD5 -> lease -> PUT -> AddFile -> PARSE_SUCCESS -> into an index until FINISH',
    );
    rows.push(
      ...(await runKnowledgeBaseFlow({
        endpoint: target.baseUrl,
        workspaceId: target.workspaceId,
        credentials: { accessKeyId: target.accessKeyId, accessKeySecret: target.accessKeySecret },
        limiter,
        files: [sample('handbook.md'), sample('trip notes.txt')],
        indexName: 'mstudio-demo',
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
  const { apiKey, accessKeyId, accessKeySecret, workspaceId } = emulator.account;
  return {
    baseUrl: emulator.url,
    apiKey,
    accessKeyId,
    accessKeySecret,
    workspaceId,
    close: () => emulator.close(),
  };
}

/** The real service with the user's credentials, after saying what will be created and getting a yes. */
async function realTarget(isConfirmed: boolean): Promise<Target | undefined> {
  const environment = {
    DASHSCOPE_API_KEY: process.env.DASHSCOPE_API_KEY?.trim(),
    ALIBABA_CLOUD_ACCESS_KEY_ID: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim(),
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim(),
    BAILIAN_WORKSPACE_ID: process.env.BAILIAN_WORKSPACE_ID?.trim(),
  };
  const missing = Object.entries(environment)
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) {
    console.error(
      `--real needs DASHSCOPE_API_KEY (temporary storage, Files API) and ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, BAILIAN_WORKSPACE_ID (knowledge base); missing: ${missing.join(', ')}.`,
    );
    console.error('Nothing was created.');
    return undefined;
  }
  console.log('Against the real Model Studio (China (Beijing)) with your credentials, the demo will create:');
  console.log('  - 2 objects in DashScope temporary storage (the service deletes them after 48 hours),');
  console.log('  - 2 model calls to qwen-vl-plus (billed to your account),');
  console.log(
    '  - 4 files in the Files API (3 file-extract, 1 batch), deleted again at the end of the flow,',
  );
  console.log(
    `  - 2 documents in the default category of knowledge-base workspace ${environment.BAILIAN_WORKSPACE_ID} and`,
  );
  console.log(
    '    an index named mstudio-demo built from them (both stay: delete them in the console when done).',
  );
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
  return {
    baseUrl: undefined,
    apiKey: environment.DASHSCOPE_API_KEY!,
    accessKeyId: environment.ALIBABA_CLOUD_ACCESS_KEY_ID!,
    accessKeySecret: environment.ALIBABA_CLOUD_ACCESS_KEY_SECRET!,
    workspaceId: environment.BAILIAN_WORKSPACE_ID!,
    close: async () => {},
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? `demo failed: ${error.message}` : error);
    process.exit(1);
  },
);
