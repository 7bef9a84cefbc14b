import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleSnapshot } from '../src/console/console-snapshot.js';
import { createEmulator, type Emulator } from '../src/index.js';
import { type PolicyData, policyFields, postForm } from './support/oss.js';

const startMs = Date.parse('2026-03-01T08:00:00.000Z');
let emulator: Emulator;

/** Reads the event stream until `accept` takes a snapshot (the stream sends one at once and one after each call). */
async function nextSnapshot(accept: (snapshot: ConsoleSnapshot) => boolean): Promise<ConsoleSnapshot> {
  const response = await request(`${emulator.url}/__emulator/events`);
  expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  let buffered = '';
  try {
    for await (const chunk of response.body) {
      buffered += String(chunk);
      for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data === undefined) continue;
        const snapshot = JSON.parse(data) as ConsoleSnapshot;
        if (accept(snapshot)) return snapshot;
      }
    }
  } finally {
    response.body.destroy();
  }
  throw new Error('The event stream ended');
}

async function getPolicy(): Promise<PolicyData> {
  const response = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`, {
    headers: { authorization: `Bearer ${emulator.account.apiKey}` },
  });
  return ((await response.json()) as { data: PolicyData }).data;
}

beforeAll(async () => {
  // The page is built with the package; build it here when the tests run before any build.
  if (!existsSync(new URL('../dist/console/index.html', import.meta.url))) {
    await promisify(execFile)(process.execPath, [new URL('../console/build.mjs', import.meta.url).pathname]);
  }
  emulator = await createEmulator({ clock: { startMs, isFrozen: true } });
});

afterAll(async () => {
  await emulator.close();
});

describe('web console', () => {
  it('serves its page and assets from the emulator itself, outside the call log', async () => {
    const page = await fetch(`${emulator.url}/__emulator/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="./console/app.js">');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${emulator.url}/__emulator/console/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${emulator.url}/__emulator/console/../package.json`)).status).toBe(404);
    expect((await fetch(`${emulator.url}/__emulator/console/nothing.js`)).status).toBe(404);
    const bare = await fetch(`${emulator.url}/__emulator`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/__emulator/']);
    expect(emulator.calls).toEqual([]);
  });

  it('streams snapshots with each call: reasons in words, subjects, faults, quotas, objects', async () => {
    emulator.faults.next({ route: 'files.list', fault: { type: 'status', status: 503 } });
    const data = await getPolicy();
    const posted = await postForm(data.upload_host, policyFields(data, 'cat.png'), {
      filename: 'cat.png',
      contentType: 'image/png',
      content: Buffer.from('not really a png'),
    });
    expect(posted.status).toBe(200);
    const key = `${data.upload_dir}/cat.png`;
    emulator.clock.advance(301_000);
    const late = await postForm(data.upload_host, policyFields(data, 'late.png'), {
      filename: 'late.png',
      contentType: 'image/png',
      content: Buffer.from('late'),
    });
    expect([late.status, late.code]).toEqual([403, 'AccessDenied']);
    const faulted = await fetch(`${emulator.url}/compatible-mode/v1/files`, {
      headers: { authorization: `Bearer ${emulator.account.apiKey}` },
    });
    expect(faulted.status).toBe(503);
    const unknownKey = await fetch(`${emulator.url}/compatible-mode/v1/files`, {
      headers: { authorization: 'Bearer sk-nobody' },
    });
    expect(unknownKey.status).toBe(401);

    const snapshot = await nextSnapshot((candidate) => candidate.calls.length === 5);
    expect(snapshot.calls.map((call) => [call.route, call.status, call.reason])).toEqual([
      ['dashscope.getPolicy', 200, undefined],
      ['oss.postObject', 200, undefined],
      ['oss.postObject', 403, 'policy expired 1 s ago'],
      ['files.list', 503, expect.stringMatching(/^injected status fault: ServiceUnavailable: \S/)],
      ['files.list', 401, 'InvalidApiKey: Invalid API-key provided.'],
    ]);
    expect(snapshot.calls[0]?.subjects).toEqual([data.upload_dir]);
    expect(snapshot.calls[1]?.subjects).toEqual([key]);
    expect(snapshot.calls.every((call) => call.durationMs >= 0)).toBe(true);
    expect(snapshot.faults).toEqual([]);
    expect(snapshot.quotas).toEqual([
      {
        key: 'dashscope.getPolicy:default:qwen-vl-plus',
        limit: 100,
        intervalMs: 1000,
        current: 0,
        peak: 1,
        rejected: 0,
      },
    ]);
    expect(snapshot.objects).toEqual([
      expect.objectContaining({ key, model: 'qwen-vl-plus', sizeBytes: 16, state: 'live' }),
    ]);
    expect(snapshot.nowMs).toBe(startMs + 301_000);
    // The log the admin API serves has the same fields.
    expect(emulator.calls[2]).toMatchObject({ reason: 'policy expired 1 s ago', subjects: [] });

    emulator.faults.next({ route: 'AddFile', fault: { type: 'reset', phase: 'response' }, times: 'always' });
    emulator.clock.advance(48 * 3_600_000);
    const later = await nextSnapshot(() => true);
    expect(later.objects).toEqual([expect.objectContaining({ key, state: 'expired' })]);
    expect(later.faults).toEqual([{ id: 2, route: 'AddFile', fault: 'reset response', remaining: 'always' }]);
  });
});
