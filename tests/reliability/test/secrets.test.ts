// Every flow with logging on and failures injected: no API key, AccessKey secret, security token, Signature or
// policy signature in any log line, error message, cause chain or toJSON(). The signatures the service handed out
// and the client sent are read off the wire by a recording proxy, so the check knows every one of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator, type FaultRule } from '@x/emulator';
import { createKnowledgeBaseClient } from '@x/kb-lease';
import { createFilesClient } from '@x/openai-files';
import { createTempStorage } from '@x/temp-oss';
import { acs3, bearer, createTransport, formBody } from '@x/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from './support/capturing-logger.js';
import { type RecordingProxy, startRecordingProxy, wireSecrets } from './support/recording-proxy.js';
import { cliEnv, runCli } from './support/run-cli.js';
import { leakedSecrets, secretsOf, visibleText } from './support/secrets.js';
import { bailianFaults, soakFaults, soakRules } from './support/soak.js';

let emulator: Emulator;
let proxy: RecordingProxy;
let folder: string;

beforeAll(async () => {
  emulator = await createEmulator({ limits: { isRateLimited: false } });
  proxy = await startRecordingProxy(emulator.url);
  folder = mkdtempSync(join(tmpdir(), 'secrets-'));
});
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Runs `work`, collecting every error it rejects with (or every rejected result of a batch). */
async function collectErrors(work: () => Promise<unknown>): Promise<unknown[]> {
  try {
    const result = await work();
    if (Array.isArray(result)) {
      return result
        .filter((item): item is { status: 'rejected'; reason: unknown } => item?.status === 'rejected')
        .map((item) => item.reason);
    }
    return [];
  } catch (error) {
    return [error];
  }
}

function expectNoSecrets(
  lines: readonly string[],
  errors: readonly unknown[],
  extra: readonly string[] = [],
): void {
  const onTheWire = wireSecrets(proxy);
  expect(onTheWire.length, 'signatures seen on the wire').toBeGreaterThan(0);
  const secrets = [...secretsOf(emulator, extra), ...onTheWire];
  expect(leakedSecrets(lines.join('\n'), secrets), 'in log lines').toEqual([]);
  for (const error of errors) expect(leakedSecrets(visibleText(error), secrets), String(error)).toEqual([]);
}

/** A 403 the way OSS answers an expired policy, twice, with the form's Signature in play. */
const expiredPolicy: FaultRule = {
  route: 'oss.postObject',
  fault: {
    type: 'status',
    status: 403,
    code: 'AccessDenied',
    message: 'Invalid according to Policy: Policy expired.',
  },
  times: 2,
};

describe('secrets stay out of logs and errors', () => {
  it('temp-oss: getPolicy and PostObject with 30% faults, a wrong key and an expired policy', async () => {
    emulator.faults.clear();
    for (const rule of soakRules(['dashscope.getPolicy', 'oss.postObject'], 0.3)) emulator.faults.next(rule);
    emulator.faults.next(expiredPolicy);
    const { logger, lines } = capturingLogger();
    const paths = Array.from({ length: 30 }, (_, index) => {
      const path = join(folder, `s-${index}.png`);
      writeFileSync(path, `secret test ${index}`);
      return path;
    });
    const transport = createTransport({
      baseUrl: proxy.url,
      auth: bearer(emulator.account.apiKey),
      logger,
      timeouts: { headersMs: 1500, stallMs: 800 },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
    const storage = createTempStorage({ transport, apiKey: emulator.account.apiKey });
    const errors = await collectErrors(() =>
      storage.uploadMany(paths, { model: 'qwen-vl-plus', concurrency: 4 }),
    );
    await storage.close();
    await transport.close();
    emulator.faults.clear();

    const wrong = createTempStorage({ apiKey: `${emulator.account.apiKey}-wrong`, baseUrl: proxy.url });
    errors.push(...(await collectErrors(() => wrong.upload(paths[0]!, { model: 'qwen-vl-plus' }))));
    await wrong.close();

    expect(errors.length).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(0);
    expectNoSecrets(lines, errors, [`${emulator.account.apiKey}-wrong`]);
  });

  it('ACS3 (Bailian): leases with STS credentials, faults, a wrong secret and a skewed clock', async () => {
    const sts = emulator.state.bailian.mintStsCredentials({ durationMs: 15 * 60_000 });
    emulator.faults.clear();
    for (const rule of soakRules(['ApplyFileUploadLease'], 0.3)) emulator.faults.next(rule);
    const { logger, lines } = capturingLogger();
    const errors: unknown[] = [];
    const account = emulator.account;
    const lease = (transport: ReturnType<typeof createTransport>, name: string) =>
      transport.request({
        method: 'POST',
        path: `/${account.workspaceId}/datacenter/category/${account.categoryId}`,
        headers: { 'x-acs-action': 'ApplyFileUploadLease', 'x-acs-version': '2023-12-29' },
        body: formBody({
          FileName: name,
          Md5: 'd41d8cd98f00b204e9800998ecf8427e',
          SizeInBytes: 10,
          CategoryType: 'UNSTRUCTURED',
        }),
        idempotent: true,
      });
    const variants = [
      acs3({
        accessKeyId: sts.accessKeyId,
        accessKeySecret: sts.accessKeySecret,
        securityToken: sts.securityToken,
      }),
      acs3({ accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret }),
      acs3({ accessKeyId: account.accessKeyId, accessKeySecret: `${account.accessKeySecret}-wrong` }),
      acs3(
        { accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret },
        { now: () => new Date(Date.now() + 20 * 60_000) },
      ),
    ];
    let granted = 0;
    for (const auth of variants) {
      const transport = createTransport({
        baseUrl: proxy.url,
        auth,
        logger,
        timeouts: { headersMs: 1500, stallMs: 800 },
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
      });
      for (let index = 0; index < 10; index += 1) {
        const found = await collectErrors(() => lease(transport, `doc-${index}.pdf`));
        if (found.length === 0) granted += 1;
        errors.push(...found);
      }
      await transport.close();
    }
    emulator.faults.clear();
    // The right credentials got leases through the faults; the wrong secret and the skewed clock got errors.
    expect(granted).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThanOrEqual(20);
    expectNoSecrets(lines, errors, [
      sts.accessKeySecret,
      sts.securityToken,
      `${account.accessKeySecret}-wrong`,
    ]);
  });

  it('openai-files: uploads, batch input, list, retrieve, content, wait and delete with 30% faults and a wrong key', async () => {
    emulator.faults.clear();
    for (const rule of soakRules(['files.*'], 0.3)) emulator.faults.next(rule);
    const { logger, lines } = capturingLogger();
    const paths = Array.from({ length: 12 }, (_, index) => {
      const path = join(folder, `f-${index}.txt`);
      writeFileSync(path, `secret test ${index}\n`);
      return path;
    });
    const badBatch = join(folder, 'bad.jsonl');
    writeFileSync(
      badBatch,
      '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}\nnot json\n',
    );
    const transport = createTransport({
      baseUrl: `${proxy.url}/compatible-mode/v1`,
      auth: bearer(emulator.account.apiKey),
      logger,
      timeouts: { headersMs: 1500, stallMs: 800 },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
    const files = createFilesClient({ transport });
    const errors = await collectErrors(() =>
      files.uploadMany(paths, { purpose: 'file-extract', concurrency: 4 }),
    );
    errors.push(...(await collectErrors(() => files.upload(badBatch, { purpose: 'batch' }))));
    errors.push(
      ...(await collectErrors(async () => {
        const ids: string[] = [];
        for await (const file of files.listAll({ limit: 5 })) ids.push(file.id);
        for (const id of ids.slice(0, 4)) {
          await collectErrors(() => files.retrieve(id)).then((found) => errors.push(...found));
          await collectErrors(() => files.waitUntilProcessed(id, { timeoutMs: 2000, intervalMs: 50 })).then(
            (found) => errors.push(...found),
          );
          await collectErrors(async () => (await files.content(id)).resume()).then((found) =>
            errors.push(...found),
          );
          await collectErrors(() => files.delete(id)).then((found) => errors.push(...found));
        }
      })),
    );
    errors.push(...(await collectErrors(() => files.retrieve('file-fe-nope'))));
    await files.close();
    await transport.close();
    emulator.faults.clear();

    const wrongKey = `${emulator.account.apiKey}-wrong`;
    const wrong = createFilesClient({ apiKey: wrongKey, baseUrl: proxy.url, logger, retry: false });
    errors.push(...(await collectErrors(() => wrong.upload(paths[0]!, { purpose: 'file-extract' }))));
    errors.push(...(await collectErrors(() => wrong.list())));
    await wrong.close();

    expect(errors.length).toBeGreaterThan(2);
    expect(lines.length).toBeGreaterThan(0);
    expectNoSecrets(lines, errors, [wrongKey]);
  });

  it('kb-lease: documents to PARSE_SUCCESS with STS credentials, 30% faults, a wrong secret and a skewed clock', async () => {
    const account = emulator.account;
    const sts = emulator.state.bailian.mintStsCredentials({ durationMs: 15 * 60_000 });
    emulator.faults.clear();
    for (const rule of soakRules(
      ['ApplyFileUploadLease', 'AddFile', 'DescribeFile', 'ListFile'],
      0.3,
      bailianFaults,
    ))
      emulator.faults.next(rule);
    for (const rule of soakRules(['oss.putObject'], 0.3)) emulator.faults.next(rule);
    const { logger, lines } = capturingLogger();
    const paths = Array.from({ length: 8 }, (_, index) => {
      const path = join(folder, `kb-${index}.md`);
      writeFileSync(path, `# Secret test ${index}\n\nBody ${index}.\n`);
      return path;
    });
    const errors: unknown[] = [];
    const stsCredentials = {
      accessKeyId: sts.accessKeyId,
      accessKeySecret: sts.accessKeySecret,
      securityToken: sts.securityToken,
    };
    const transport = createTransport({
      baseUrl: proxy.url,
      auth: acs3(stsCredentials),
      logger,
      timeouts: { headersMs: 1500, stallMs: 800 },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
    const client = createKnowledgeBaseClient({ workspaceId: account.workspaceId, transport, logger });
    const results = await client.uploadMany(paths, {
      concurrency: 4,
      pollIntervalMs: 50,
      maxPollIntervalMs: 100,
      timeoutMs: 20_000,
    });
    for (const result of results) if (result.status === 'rejected') errors.push(result.reason);
    // The flow ran: documents reached PARSE_SUCCESS through the faults.
    expect(
      results.filter((result) => result.status === 'fulfilled' && result.value.status === 'PARSE_SUCCESS')
        .length,
      String(errors[0]),
    ).toBeGreaterThan(0);
    errors.push(...(await collectErrors(() => client.describeFile('file_nope'))));
    await client.close();
    await transport.close();
    emulator.faults.clear();

    // A wrong secret, and a clock 20 minutes ahead: refused by the service, through the package's own transport.
    const wrongSecret = `${account.accessKeySecret}-wrong`;
    for (const credentials of [
      { accessKeyId: account.accessKeyId, accessKeySecret: wrongSecret },
      {
        accessKeyId: sts.accessKeyId,
        accessKeySecret: sts.accessKeySecret,
        securityToken: `${sts.securityToken}x`,
      },
    ]) {
      const refused = createKnowledgeBaseClient({
        workspaceId: account.workspaceId,
        endpoint: proxy.url,
        credentials,
        logger,
      });
      errors.push(...(await collectErrors(() => refused.uploadDocument(paths[0]!, { wait: false }))));
      await refused.close();
    }
    const skewed = createTransport({
      baseUrl: proxy.url,
      auth: acs3(
        { accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret },
        { now: () => new Date(Date.now() + 20 * 60_000) },
      ),
      logger,
      retry: false,
    });
    const late = createKnowledgeBaseClient({ workspaceId: account.workspaceId, transport: skewed, logger });
    errors.push(...(await collectErrors(() => late.uploadDocument(paths[1]!, { wait: false }))));
    await late.close();
    await skewed.close();

    expect(errors.length).toBeGreaterThan(2);
    expect(lines.length).toBeGreaterThan(0);
    expectNoSecrets(lines, errors, [
      sts.accessKeySecret,
      sts.securityToken,
      `${sts.securityToken}x`,
      wrongSecret,
    ]);
  });

  it('the CLI with --debug: oss upload with faults, a wrong key on the command line, a missing file', async () => {
    emulator.faults.clear();
    // The CLI keeps its own patient timeouts and backoff: faults that cost no waiting (no stalls, no Retry-After).
    const quickFaults = soakFaults.filter(
      (fault) =>
        fault.type !== 'stall' &&
        !(fault.type === 'status' && fault.retryAfterSeconds !== 0 && fault.status === 429),
    );
    for (const rule of soakRules(['dashscope.getPolicy', 'oss.postObject'], 0.3, quickFaults))
      emulator.faults.next(rule);
    emulator.faults.next(expiredPolicy);
    const paths = Array.from({ length: 4 }, (_, index) => {
      const path = join(folder, `cli-${index}.png`);
      writeFileSync(path, `cli secret test ${index}`);
      return path;
    });
    const wrongKey = `${emulator.account.apiKey}-cli-wrong`;
    const env = cliEnv(proxy.url, emulator.account);
    const home = { home: folder };
    const runs = [
      await runCli(
        ['--debug', 'oss', 'upload', '--model', 'qwen-vl-plus', ...paths, join(folder, 'missing.png')],
        env,
        home,
      ),
      await runCli(
        ['--debug', '--json', 'oss', 'upload', '-m', 'qwen-vl-plus', ...paths.slice(0, 2)],
        env,
        home,
      ),
      await runCli(
        ['--debug', 'oss.upload', '-m', 'qwen-vl-plus', '-f', paths[0]!, '--api_key', wrongKey],
        env,
        home,
      ),
      await runCli(
        ['--debug', 'oss', 'upload', '-m', 'qwen-vl-plus', paths[0]!],
        {
          ...env,
          DASHSCOPE_API_KEY: wrongKey,
        },
        home,
      ),
    ];
    emulator.faults.clear();
    // Each run did something visible: URLs on stdout, or errors on stderr.
    expect(runs.some((run) => run.stdout.includes('oss://'))).toBe(true);
    expect(runs.filter((run) => run.exitCode !== 0).length).toBeGreaterThanOrEqual(2);
    expect(runs.some((run) => /FILE_NOT_FOUND/.test(run.stderr))).toBe(true);
    const output = runs.map((run) => `${run.stdout}\n${run.stderr}`);
    expectNoSecrets(output, [], [wrongKey]);
  });
});
