// The fault soak: each flow uploads 300 files while the emulator injects 20% failures (429 with and without
// Retry-After, 503, resets mid-body and mid-response, stalls) on every route it uses, with a fixed seed. Every file
// ends done exactly once (the emulator's calls and stored objects prove it) or reported failed with its reason;
// nothing is lost, nothing is stored twice, and the limiter is never exceeded in any sliding window.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '@x/emulator';
import { createModelStudioLimiter } from '@x/ratelimit';
import { createTempStorage } from '@x/temp-oss';
import { bearer, createTransport, TransportError } from '@x/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedSecrets, secretsOf, visibleText } from './support/secrets.js';
import { maxInWindow, type SoakSummary, soakRules, summaryLine } from './support/soak.js';

const fileCount = 300;
const faultRate = 0.2;
const seed = 20_261_130;

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
  let emulator: Emulator;
  afterAll(async () => {
    await emulator?.close();
  });

  it('temp-oss: 300 files through getPolicy and PostObject with 20% faults', async () => {
    emulator = await createEmulator({
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
});
