import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as bailian from '@alicloud/bailian20231229';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { createEmulator, type Emulator } from '@x/emulator';
import { createModelStudioLimiter } from '@x/ratelimit';
import { createTempStorage } from '@x/temp-oss';
import OpenAI, { toFile } from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTempOssFlow } from '../src/temp-oss-flow.js';
import { type HeadlessBrowser, launchChromium } from './browser.js';

const samples = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');
/** Set to a folder (the emulator's `docs/`) to save the README's screenshots there. */
const screenshotsDir = process.env.CONSOLE_SCREENSHOTS_DIR;

/** The SDK is CommonJS with `exports.default`: Node's ESM puts the class one level down, vitest's interop does not. */
const sdkExport = bailian.default as unknown as { default?: unknown };
const BailianClient = (
  typeof sdkExport === 'function' ? sdkExport : sdkExport.default
) as typeof bailian.default.default;

/** `file-extract` is the service's own purpose; the SDK's types only know OpenAI's. */
const fileExtract = 'file-extract' as unknown as OpenAI.FilePurpose;

let emulator: Emulator;
let browser: HeadlessBrowser;
let page: Page;
const pageRequests: string[] = [];
const pageErrors: string[] = [];

async function screenshot(name: string): Promise<void> {
  if (screenshotsDir === undefined) return;
  await mkdir(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, name), type: 'png' });
}

/** A knowledge-base document through the official Bailian SDK: lease, PUT, AddFile. */
async function addKnowledgeBaseDocument(fileName: string, content: Buffer): Promise<string> {
  const client = new BailianClient(
    new $OpenApiUtil.Config({
      accessKeyId: emulator.account.accessKeyId,
      accessKeySecret: emulator.account.accessKeySecret,
      endpoint: new URL(emulator.url).host,
      protocol: 'http',
    }),
  );
  const lease = await client.applyFileUploadLease(
    'default',
    emulator.account.workspaceId,
    new bailian.ApplyFileUploadLeaseRequest({
      fileName,
      md5: createHash('md5').update(content).digest('hex'),
      sizeInBytes: String(content.byteLength),
      categoryType: 'UNSTRUCTURED',
    }),
  );
  const data = lease.body?.data;
  if (!data?.fileUploadLeaseId || !data.param?.url) throw new Error('lease without an ID or URL');
  const put = await fetch(data.param.url, {
    method: 'PUT',
    headers: data.param.headers as Record<string, string>,
    body: new Uint8Array(content),
  });
  expect(put.status).toBe(200);
  const added = await client.addFile(
    emulator.account.workspaceId,
    new bailian.AddFileRequest({
      leaseId: data.fileUploadLeaseId,
      parser: 'DASHSCOPE_DOCMIND',
      categoryId: 'default',
      categoryType: 'UNSTRUCTURED',
    }),
  );
  const fileId = added.body?.data?.fileId;
  if (!fileId) throw new Error('AddFile without a FileId');
  return fileId;
}

function row(section: string, text: string) {
  return page.locator(`#${section} tbody tr`, { hasText: text });
}

describe('web console', () => {
  beforeAll(async () => {
    emulator = await createEmulator();
    browser = await launchChromium({ width: 1280, height: 900 });
    page = await browser.context.newPage();
    page.on('request', (request) => pageRequests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${emulator.url}/__emulator/`);
    await page.locator('.status.live').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await emulator?.close();
  });

  it("shows every flow's objects with their final states while the flows run", async () => {
    const limiter = createModelStudioLimiter();
    const openai = new OpenAI({
      baseURL: `${emulator.url}/compatible-mode/v1`,
      apiKey: emulator.account.apiKey,
    });
    const batchLines = ['a', 'b']
      .map((id) =>
        JSON.stringify({
          custom_id: id,
          method: 'POST',
          url: '/v1/chat/completions',
          body: { model: 'qwen-plus', messages: [{ role: 'user', content: `Say ${id}` }] },
        }),
      )
      .join('\n');
    const [tempRows, extractFile, batchFile, documentFileId] = await Promise.all([
      runTempOssFlow({
        baseUrl: emulator.url,
        apiKey: emulator.account.apiKey,
        limiter,
        files: [join(samples, 'sunset.png'), join(samples, 'trip notes.txt')],
        model: 'qwen-vl-plus',
      }).finally(() => limiter.close()),
      openai.files.create({
        file: await toFile(Buffer.from('Meeting notes: ship the console.\n'), 'meeting notes.txt'),
        purpose: fileExtract,
      }),
      openai.files.create({
        file: await toFile(Buffer.from(batchLines), 'requests.jsonl'),
        purpose: 'batch',
      }),
      addKnowledgeBaseDocument('handbook.md', Buffer.from('# Handbook\n\nWelcome aboard.\n')),
    ]);

    for (const tempRow of tempRows) {
      const key = tempRow.url.slice('oss://'.length);
      await expect.poll(() => page.locator(`#objects tr[data-key="${key}"]`).textContent()).toContain('live');
    }
    await expect
      .poll(() => row('files', extractFile.id).textContent(), { timeout: 15_000 })
      .toContain('processed');
    await expect
      .poll(() => row('files', batchFile.id).textContent(), { timeout: 15_000 })
      .toContain('processed');
    await expect
      .poll(() => row('documents', 'handbook.md').textContent(), { timeout: 15_000 })
      .toMatch(new RegExp(`uploaded.*${documentFileId}.*PARSE_SUCCESS`));

    // Each row links to the requests that made it: the document's lease, PUT, AddFile and DescribeFile calls.
    await row('documents', 'handbook.md').getByRole('button').click();
    const linked = page.locator('#timeline tbody tr');
    await expect
      .poll(() => linked.evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-route'))))
      .toEqual(expect.arrayContaining(['ApplyFileUploadLease', 'oss.putObject', 'AddFile']));
    await page.getByRole('button', { name: 'Show all requests' }).click();

    const gauges = page.locator('.gauge');
    await expect
      .poll(() => gauges.allTextContents())
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^getPolicy · default · qwen-vl-plus.*peak 1 of 100\/s/),
        ]),
      );
    await expect
      .poll(() => gauges.allTextContents())
      .toEqual(expect.arrayContaining([expect.stringMatching(/^Files API uploads · default.*of 3\/s/)]));
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot('console-flows.png');
  });

  it('injects a 503 from the page and marks the retried upload in the timeline', async () => {
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Inject a fault' }) });
    await form.getByLabel('Route').selectOption('dashscope.getPolicy');
    await form.getByLabel('Kind').selectOption('503');
    await form.getByLabel('Count').fill('1');
    // From the count field, the next Tab stop is the submit button: the form works from the keyboard.
    await form.getByLabel('Count').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Inject fault');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.faults').textContent()).toContain('503 on dashscope.getPolicy');
    expect(emulator.faults.pending()).toEqual([
      expect.objectContaining({
        rule: { route: 'dashscope.getPolicy', fault: { type: 'status', status: 503 }, times: 1 },
      }),
    ]);

    // A new client has no cached policy: its upload starts with getPolicy, gets the 503, and retries.
    const storage = createTempStorage({ baseUrl: emulator.url, apiKey: emulator.account.apiKey });
    const uploaded = await storage.upload(join(samples, 'sunset.png'), { model: 'qwen-vl-plus' });
    await storage.close();

    const faulted = page.locator('#timeline tr[data-route="dashscope.getPolicy"][data-fault="status"]');
    await expect.poll(() => faulted.textContent()).toContain('injected status');
    expect(await faulted.getAttribute('data-status')).toBe('503');
    expect(await faulted.locator('.reason').textContent()).toMatch(
      /^injected status fault: ServiceUnavailable: \S/,
    );
    const faultedId = Number(await faulted.getAttribute('data-call-id'));
    const retried = page.locator('#timeline tr[data-route="dashscope.getPolicy"][data-status="200"]');
    await expect
      .poll(async () =>
        (await retried.evaluateAll((rows) => rows.map((tr) => Number(tr.dataset.callId)))).some(
          (id) => id > faultedId,
        ),
      )
      .toBe(true);
    await expect
      .poll(() => page.locator(`#objects tr[data-key="${uploaded.key}"]`).textContent())
      .toContain('live');
    await page.getByLabel('refused and faulted only').check();
    await expect
      .poll(() =>
        page.locator('#timeline tbody tr').evaluateAll((rows) => rows.map((tr) => tr.dataset.callId)),
      )
      .toEqual([String(faultedId)]);
    await page.getByLabel('refused and faulted only').uncheck();
    await page.locator('#timeline').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -360));
    await screenshot('console-fault.png');
  });

  it('advances the clock from the page and shows a temporary object expire', async () => {
    const keys = emulator.state.dashscope.objects.map((object) => object.key);
    expect(keys.length).toBe(3);
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Advance the clock' }) });
    const before = emulator.clock.now();
    await form.getByLabel('By').fill('49');
    await form.getByLabel('Unit').selectOption('hours');
    await form.getByLabel('By').press('Enter');
    await expect.poll(() => page.locator('.message').textContent()).toBe('Clock advanced by 49 hours.');
    expect(emulator.clock.now() - before).toBeGreaterThanOrEqual(49 * 3_600_000);
    for (const key of keys) {
      await expect
        .poll(() => page.locator(`#objects tr[data-key="${key}"]`).textContent())
        .toContain('expired');
    }
    expect(emulator.state.dashscope.objects).toEqual([]);
  });

  it('is readable on a narrow window and contacts nothing but the emulator', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // Nothing sticks out of the window but inside the tables' own horizontal scroll boxes.
    const sticksOut = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((element) => element.closest('.scroll') === null || element.classList.contains('scroll'))
        .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
        .map(
          (element) =>
            `${element.tagName.toLowerCase()}.${element.className}: ${element.textContent?.slice(0, 40)}`,
        ),
    );
    expect(sticksOut).toEqual([]);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await page.locator('#objects').scrollIntoViewIfNeeded();
    await screenshot('console-narrow.png');
    expect(pageRequests.length).toBeGreaterThan(0);
    expect(pageRequests.filter((url) => !url.startsWith(`${emulator.url}/__emulator/`))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
