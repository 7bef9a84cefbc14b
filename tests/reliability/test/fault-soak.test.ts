// The fault soak: each flow uploads 300 files while the emulator injects 20% failures (429 with and without
// Retry-After, 503, resets mid-body and mid-response, stalls; on Bailian also 200 with `Success: false` and documented
// error codes) on every route it uses, with a fixed seed. Every file ends done exactly once (the emulator's calls,
// state and listings prove it) or reported failed with its reason; nothing is lost, nothing is stored twice, no
// AddFile is made twice for one document, and the limiter is never exceeded in any sliding window.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CallRecord, createEmulator, type Emulator } from '@x/emulator';
import { createKnowledgeBaseClient } from '@x/kb-lease';
import { createFilesClient, type FileObject } from '@x/openai-files';
import { createModelStudioLimiter, createQuotaLimiter, type QuotaOptions } from '@x/ratelimit';
import { createTempStorage } from '@x/temp-oss';
import { acs3, bearer, createTransport, TransportError } from '@x/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from './support/capturing-logger.js';
import { leakedSecrets, secretsOf, visibleText } from './support/secrets.js';
import {
  bailianFaults,
  maxGrantsInWindow,
  maxInWindow,
  recordingLimiter,
  type SoakSummary,
  soakFaults,
  soakRules,
  summaryLine,
} from './support/soak.js';

const fileCount = 300;
const faultRate = 0.2;
const seed = 20_261_130;
/**
 * The client's window for the scaled quotas of the soak: the service counts 1 s windows by arrival, and this margin
 * absorbs the time between a start and its arrival on a loaded machine (the clients' default limiters keep 50 ms).
 */
const soakWindowMs = 1200;

let folder: string;
const summaries: SoakSummary[] = [];

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'fault-soak-'));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
  for (const summary of summaries) console.log(summaryLine(summary));
});

/** `count` small files with distinct contents, and the MD5 of each. */
function writeFiles(prefix: string, count: number, extension: string): { paths: string[]; md5s: string[] } {
  const paths: string[] = [];
  const md5s: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const body = Buffer.from(`${prefix} file ${index}\n${'x'.repeat(1000 + index)}\n`);
    const path = join(folder, `${prefix}-${index}.${extension}`);
    writeFileSync(path, body);
    paths.push(path);
    md5s.push(createHash('md5').update(body).digest('hex').toUpperCase());
  }
  return { paths, md5s };
}

describe('fault soak', () => {
  const emulators: Emulator[] = [];
  afterAll(async () => {
    for (const emulator of emulators) await emulator.close();
  });
  async function start(options: Parameters<typeof createEmulator>[0]): Promise<Emulator> {
    const emulator = await createEmulator(options);
    emulators.push(emulator);
    return emulator;
  }

  it('temp-oss: 300 files through getPolicy and PostObject with 20% faults', async () => {
    const emulator = await start({
      faults: { seed, rules: soakRules(['dashscope.getPolicy', 'oss.postObject'], faultRate) },
    });
    const { paths, md5s } = writeFiles('temp-oss', fileCount, 'png');
    const logLines: string[] = [];
    const transport = createTransport({
      baseUrl: emulator.url,
      auth: bearer(emulator.account.apiKey),
      limiter: createModelStudioLimiter(),
      timeouts: { headersMs: 2000, stallMs: 1000 },
      retry: { baseDelayMs: 10, maxDelayMs: 100 },
      logger: {
        debug: (...parts: unknown[]) => logLines.push(JSON.stringify(parts)),
        info: (...parts: unknown[]) => logLines.push(JSON.stringify(parts)),
        warn: (...parts: unknown[]) => logLines.push(JSON.stringify(parts)),
        error: (...parts: unknown[]) => logLines.push(JSON.stringify(parts)),
      },
    });
    const storage = createTempStorage({ transport, apiKey: emulator.account.apiKey });
    let results: Awaited<ReturnType<typeof storage.uploadMany>>;
    try {
      results = await storage.uploadMany(paths, { model: 'qwen-vl-plus', concurrency: 8 });
    } finally {
      await storage.close();
      await transport.close();
    }

    const calls = emulator.calls;
    const objects = emulator.state.dashscope.objects;
    const objectsByMd5 = new Map<string, number>();
    for (const object of objects) objectsByMd5.set(object.etag, (objectsByMd5.get(object.etag) ?? 0) + 1);

    // Every file has a result at its index: done or failed, never missing.
    expect(results).toHaveLength(fileCount);
    let lost = 0;
    let duplicates = 0;
    let done = 0;
    const reasons = new Map<string, number>();
    results.forEach((result, index) => {
      const stored = objectsByMd5.get(md5s[index]!) ?? 0;
      if (stored > 1) duplicates += 1;
      if (result === undefined || result.index !== index) {
        lost += 1;
      } else if (result.status === 'fulfilled') {
        done += 1;
        // Done means stored, exactly once, under the key the caller was given.
        if (stored !== 1) lost += 1;
        expect(objects.find((object) => object.etag === md5s[index])?.key).toBe(result.value.key);
      } else {
        // Failed means reported with a typed reason, and nothing stored.
        expect(TransportError.isInstance(result.reason), String(result.reason)).toBe(true);
        const reason = result.reason as TransportError;
        reasons.set(reason.code, (reasons.get(reason.code) ?? 0) + 1);
        if (stored !== 0) duplicates += 1;
      }
    });
    const postObjects = calls.filter((call) => call.route === 'oss.postObject');
    const getPolicies = calls.filter((call) => call.route === 'dashscope.getPolicy');
    // The emulator's log agrees: one clean 200 PostObject per done file, and nothing else stored.
    expect(postObjects.filter((call) => call.status === 200 && call.fault === undefined)).toHaveLength(done);
    expect(objects).toHaveLength(done);
    // Not one real throttling answer: the client-side limiter kept getPolicy under 100 per second in every window.
    expect(calls.filter((call) => call.status === 429 && call.fault === undefined)).toHaveLength(0);
    expect(maxInWindow(getPolicies, 1000)).toBeLessThanOrEqual(100);
    // Logging was on the whole time, and no secret reached it.
    expect(leakedSecrets(logLines.join('\n'), secretsOf(emulator))).toEqual([]);
    for (const result of results) {
      if (result.status === 'rejected')
        expect(leakedSecrets(visibleText(result.reason), secretsOf(emulator))).toEqual([]);
    }

    const faults = calls.filter((call) => call.fault !== undefined).length;
    const cleanPolicies = getPolicies.filter(
      (call) => call.status === 200 && call.fault === undefined,
    ).length;
    const summary: SoakSummary = {
      flow: 'temp-oss',
      files: fileCount,
      done,
      failed: fileCount - done,
      faults,
      retries: postObjects.length - fileCount + (getPolicies.length - cleanPolicies),
      duplicates,
      lost,
    };
    summaries.push(summary);
    console.log(summaryLine(summary), Object.fromEntries(reasons));
    expect(faults).toBeGreaterThan(0.1 * fileCount);
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
  });

  it('openai-files: 300 files uploaded, then listed, with 20% faults', async () => {
    // Quotas scaled up from 3 uploads and 10 queries per second so the soak stays short; the client's limiter is
    // matched to them, with the same 50 ms margin as its default one.
    const uploadsPerSecond = 60;
    const queriesPerSecond = 40;
    const emulator = await start({
      faults: { seed, rules: soakRules(['files.upload', 'files.list'], faultRate) },
      files: { limits: { uploadsPerSecond, queriesPerSecond }, processingDelayMs: 0 },
    });
    const { paths } = writeFiles('openai-files', fileCount, 'txt');
    const names = paths.map((path) => path.slice(path.lastIndexOf('/') + 1));
    const { logger, lines } = capturingLogger();
    const limiter = createQuotaLimiter({
      quotas: {
        filesUpload: { limit: uploadsPerSecond, intervalMs: soakWindowMs },
        files: { limit: queriesPerSecond, intervalMs: soakWindowMs },
      },
    });
    const recorded = recordingLimiter(limiter);
    const transport = createTransport({
      baseUrl: `${emulator.url}/compatible-mode/v1`,
      auth: bearer(emulator.account.apiKey),
      limiter: recorded.limiter,
      logger,
      timeouts: { headersMs: 1000, stallMs: 1000 },
      retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    });
    const files = createFilesClient({ transport });
    let results: Awaited<ReturnType<typeof files.uploadMany>>;
    const listed: FileObject[] = [];
    try {
      results = await files.uploadMany(paths, { purpose: 'file-extract', concurrency: 16 });
      for await (const file of files.listAll({ limit: 50 })) listed.push(file);
    } finally {
      await files.close();
      await transport.close();
      await limiter.close();
    }

    const calls = emulator.calls;
    const stored = emulator.state.files.files;
    const storedByName = countBy(stored, (file) => file.filename);
    const listedById = countBy(listed, (file) => file.id);
    expect(results).toHaveLength(fileCount);
    let done = 0;
    let lost = 0;
    let duplicates = 0;
    const reasons = new Map<string, number>();
    results.forEach((result, index) => {
      const name = names[index]!;
      const copies = storedByName.get(name) ?? 0;
      if (result === undefined || result.index !== index) {
        lost += 1;
      } else if (result.status === 'fulfilled') {
        done += 1;
        // Done means stored once, under the id the caller was given, and listed once.
        if (copies > 1) duplicates += 1;
        if (copies === 0) lost += 1;
        expect(stored.find((file) => file.filename === name)?.id).toBe(result.value.id);
        if ((listedById.get(result.value.id) ?? 0) !== 1) lost += 1;
      } else {
        expect(TransportError.isInstance(result.reason), String(result.reason)).toBe(true);
        const reason = result.reason as TransportError;
        reasons.set(reason.code, (reasons.get(reason.code) ?? 0) + 1);
        expect(reason.message.length).toBeGreaterThan(0);
        if (copies !== 0) duplicates += 1;
      }
    });
    const uploads = calls.filter((call) => call.route === 'files.upload');
    // One clean 201/200 upload per done file; the listing holds exactly the done files, each once.
    expect(uploads.filter((call) => isClean(call))).toHaveLength(done);
    expect(stored).toHaveLength(done);
    expect(listed).toHaveLength(done);
    expect([...listedById.values()].every((count) => count === 1)).toBe(true);
    // The limiter held: no 1 s window with more starts than the (scaled) quotas, and so not one real throttling
    // answer from the service.
    expect(maxGrantsInWindow(recorded.grants.get('filesUpload') ?? [], 1000)).toBeLessThanOrEqual(
      uploadsPerSecond,
    );
    expect(maxGrantsInWindow(recorded.grants.get('files') ?? [], 1000)).toBeLessThanOrEqual(queriesPerSecond);
    // Every upload the service saw went through the limiter (a stalled one may be logged by the emulator a little
    // after the client gave up, so at least as many grants as calls).
    expect(recorded.grants.get('filesUpload')?.length).toBeGreaterThanOrEqual(uploads.length);
    expect(calls.filter((call) => call.status === 429 && call.fault === undefined)).toHaveLength(0);
    expectNoLeaks(emulator, lines, results);

    const summary = summarize('openai-files', calls, lines, { done, duplicates, lost });
    summaries.push(summary);
    console.log(summaryLine(summary), Object.fromEntries(reasons));
    expectSoakFigures(summary);
  });

  it('kb-lease: 300 documents to PARSE_SUCCESS with 20% faults on every step', async () => {
    // Quotas scaled up from 10 per second so the soak stays short; the client's limiter is matched to them, each
    // window held 50 ms longer for the trip to the service.
    const rateLimits = { ApplyFileUploadLease: 60, AddFile: 60, DescribeFile: 120, ListFile: 40 };
    const bailianRoutes = ['ApplyFileUploadLease', 'AddFile', 'DescribeFile', 'ListFile'];
    const emulator = await start({
      faults: {
        seed,
        rules: [
          // Five quotas in a row: each pause holds the whole pipeline, so pausing 429s are rarer here.
          ...soakRules(bailianRoutes, faultRate, bailianFaults, 0.1),
          ...soakRules(['oss.putObject'], faultRate, soakFaults, 0.1),
        ],
      },
      bailian: {
        rateLimits,
        parseSchedule: { queuedAfterMs: 10, parsingAfterMs: 20, doneAfterMs: 40 },
      },
    });
    const { paths, md5s } = writeFiles('kb-lease', fileCount, 'txt');
    const names = paths.map((path) => path.slice(path.lastIndexOf('/') + 1));
    const { logger, lines } = capturingLogger();
    const quota = (limit: number): QuotaOptions => ({ limit, intervalMs: soakWindowMs });
    const limiter = createQuotaLimiter({
      quotas: {
        applyFileUploadLease: quota(rateLimits.ApplyFileUploadLease),
        addFile: quota(rateLimits.AddFile),
        describeFile: quota(rateLimits.DescribeFile),
        listFile: quota(rateLimits.ListFile),
        getIndexJobStatus: { limit: 20, intervalMs: 60_000 },
      },
    });
    const recorded = recordingLimiter(limiter);
    const account = emulator.account;
    const transport = createTransport({
      baseUrl: emulator.url,
      auth: acs3({ accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret }),
      limiter: recorded.limiter,
      logger,
      timeouts: { headersMs: 1000, stallMs: 1000 },
      retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    });
    const client = createKnowledgeBaseClient({ workspaceId: account.workspaceId, transport, logger });
    let results: Awaited<ReturnType<typeof client.uploadMany>>;
    try {
      results = await client.uploadMany(paths, {
        concurrency: 32,
        pollIntervalMs: 50,
        maxPollIntervalMs: 100,
        timeoutMs: 60_000,
      });
    } finally {
      await client.close();
      await transport.close();
      await limiter.close();
    }

    const calls = emulator.calls;
    const files = [...emulator.state.bailian.files.values()];
    const filesByName = countBy(files, (file) => file.fileName);
    // Every AddFile the service carried out (a clean 200), by the document it added.
    const addedById = new Map(files.map((file) => [file.fileId, file.fileName]));
    const addFiles = calls.filter((call) => call.route === 'AddFile');
    const cleanAddFiles = addFiles.filter((call) => isClean(call));
    const addFilesByName = countBy(cleanAddFiles, (call) => {
      const fileId = call.subjects.find((subject) => addedById.has(subject));
      return fileId === undefined ? '(no file)' : addedById.get(fileId)!;
    });
    expect(addFilesByName.get('(no file)') ?? 0, 'a clean AddFile that added no file').toBe(0);
    expect(results).toHaveLength(fileCount);
    let done = 0;
    let lost = 0;
    let duplicates = 0;
    const reasons = new Map<string, number>();
    results.forEach((result, index) => {
      const name = names[index]!;
      const copies = filesByName.get(name) ?? 0;
      // No AddFile for a document is ever carried out twice, whatever else happened to it.
      if ((addFilesByName.get(name) ?? 0) > 1 || copies > 1) duplicates += 1;
      if (result === undefined || result.index !== index) {
        lost += 1;
      } else if (result.status === 'fulfilled') {
        done += 1;
        const document = result.value;
        expect(document.status).toBe('PARSE_SUCCESS');
        expect(document.md5.toUpperCase()).toBe(md5s[index]);
        if (copies !== 1 || (addFilesByName.get(name) ?? 0) !== 1) lost += 1;
        if (copies === 1) expect(files.find((file) => file.fileName === name)?.fileId).toBe(document.fileId);
      } else {
        expect(TransportError.isInstance(result.reason), String(result.reason)).toBe(true);
        const reason = result.reason as TransportError;
        reasons.set(reason.code, (reasons.get(reason.code) ?? 0) + 1);
        // Failed with a reason: never added; or added and then named by its file id (a wait that failed); or an
        // AddFile the client could not settle, reported as such (ADD_FILE_UNCERTAIN), never as not added.
        if (copies === 1 && reason.code !== 'ADD_FILE_UNCERTAIN') {
          expect(reason.message, 'a failure after AddFile names the file').toContain(
            files.find((file) => file.fileName === name)!.fileId,
          );
        }
      }
    });
    // The listing agrees: every done document is in the category exactly once.
    const listed: string[] = [];
    const lister = createKnowledgeBaseClient({
      workspaceId: account.workspaceId,
      endpoint: emulator.url,
      credentials: { accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret },
    });
    emulator.faults.clear();
    try {
      for await (const file of lister.listFiles({ categoryId: 'default', maxResults: 100 }))
        listed.push(file.FileName ?? '');
    } finally {
      await lister.close();
    }
    const listedByName = countBy(listed, (name) => name);
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') expect(listedByName.get(names[index]!), names[index]).toBe(1);
    }
    expect(listed).toHaveLength(files.length);

    // The limiter held: no 1 s window with more starts of an action than its (scaled) quota, every call of it the
    // service saw went through the limiter, and so not one real throttling answer from the service.
    for (const [action, limit] of Object.entries(rateLimits)) {
      const quotaName = action[0]!.toLowerCase() + action.slice(1);
      const grants = recorded.grants.get(quotaName) ?? [];
      expect(maxGrantsInWindow(grants, 1000), action).toBeLessThanOrEqual(limit);
      expect(grants.length, action).toBeGreaterThanOrEqual(
        calls.filter((call) => call.route === action).length,
      );
    }
    expect(calls.filter((call) => call.status === 429 && call.fault === undefined)).toHaveLength(0);
    expectNoLeaks(emulator, lines, results);

    const summary = summarize('kb-lease', calls, lines, { done, duplicates, lost });
    summaries.push(summary);
    console.log(summaryLine(summary), Object.fromEntries(reasons));
    expectSoakFigures(summary);
  });
});

/** How many items share each key. */
function countBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** A call the service carried out: answered 2xx with no injected fault. */
function isClean(call: CallRecord): boolean {
  return call.fault === undefined && call.status >= 200 && call.status < 300;
}

/** Retries as the logs tell them: the transport's, and a flow's own (a new lease, a throttled AddFile sent again). */
function countRetries(lines: readonly string[]): number {
  return lines.filter((line) =>
    /^warn (retrying request|AddFile throttled|AddFile not found by lookup|AddFile did not add|lease URL expired)/.test(
      line,
    ),
  ).length;
}

function summarize(
  flow: string,
  calls: readonly CallRecord[],
  lines: readonly string[],
  counts: { done: number; duplicates: number; lost: number },
): SoakSummary {
  return {
    flow,
    files: fileCount,
    done: counts.done,
    failed: fileCount - counts.done,
    faults: calls.filter((call) => call.fault !== undefined).length,
    retries: countRetries(lines),
    duplicates: counts.duplicates,
    lost: counts.lost,
  };
}

/** Enough faults were injected to mean something, most files still made it, and none was doubled or lost. */
function expectSoakFigures(summary: SoakSummary): void {
  expect(summary.faults).toBeGreaterThan(0.1 * fileCount);
  expect(summary.retries).toBeGreaterThan(0);
  expect(summary.done).toBeGreaterThan(0.8 * fileCount);
  expect(summary.duplicates).toBe(0);
  expect(summary.lost).toBe(0);
}

/** No secret of the emulator's accounts in any log line or any reported failure. */
function expectNoLeaks(
  emulator: Emulator,
  lines: readonly string[],
  results: readonly { status: string; reason?: unknown }[],
): void {
  expect(lines.length).toBeGreaterThan(0);
  expect(leakedSecrets(lines.join('\n'), secretsOf(emulator))).toEqual([]);
  for (const result of results) {
    if (result.status === 'rejected')
      expect(leakedSecrets(visibleText(result.reason), secretsOf(emulator))).toEqual([]);
  }
}
