// Every flow with logging on and failures injected: no API key, AccessKey secret, security token, Signature or
// policy signature in any log line, error message, cause chain or toJSON(). The signatures the service handed out
// and the client sent are read off the wire by a recording proxy, so the check knows every one of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '@x/emulator';
import { createTempStorage } from '@x/temp-oss';
import { acs3, bearer, createTransport, formBody, type Logger } from '@x/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordingProxy, startRecordingProxy, wireSecrets } from './support/recording-proxy.js';
import { leakedSecrets, secretsOf, visibleText } from './support/secrets.js';
import { soakRules } from './support/soak.js';

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

/** A logger that keeps every line, fields included, as JSON. */
function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(
        `${level} ${message} ${JSON.stringify(fields ?? {}, (_key, value) => (typeof value === 'bigint' ? String(value) : value))}`,
      );
    };
  return {
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    lines,
  };
}

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

describe('secrets stay out of logs and errors', () => {
  it('temp-oss: getPolicy and PostObject with 30% faults, a wrong key and an expired policy', async () => {
    emulator.faults.clear();
    for (const rule of soakRules(['dashscope.getPolicy', 'oss.postObject'], 0.3)) emulator.faults.next(rule);
    // A 403 the way OSS answers it, with the form's Signature in play.
    emulator.faults.next({
      route: 'oss.postObject',
      fault: {
        type: 'status',
        status: 403,
        code: 'AccessDenied',
        message: 'Invalid according to Policy: Policy expired.',
      },
      times: 2,
    });
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
    for (const auth of variants) {
      const transport = createTransport({
        baseUrl: proxy.url,
        auth,
        logger,
        timeouts: { headersMs: 1500, stallMs: 800 },
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
      });
      for (let index = 0; index < 10; index += 1)
        errors.push(...(await collectErrors(() => lease(transport, `doc-${index}.pdf`))));
      await transport.close();
    }
    emulator.faults.clear();
    expect(errors.length).toBeGreaterThan(0);
    expectNoSecrets(lines, errors, [
      sts.accessKeySecret,
      sts.securityToken,
      `${account.accessKeySecret}-wrong`,
    ]);
  });
});
