import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AdminRequestError,
  createAdminClient,
  createEmulator,
  defaultAccount,
  type Emulator,
} from '../src/index.js';

let emulator: Emulator;
const policyPath = '/api/v1/uploads?action=getPolicy&model=qwen-vl-plus';

beforeAll(async () => {
  emulator = await createEmulator({ faults: { seed: 7 } });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const getPolicy = (signal?: AbortSignal) =>
  fetch(`${emulator.url}${policyPath}`, {
    headers: { authorization: `Bearer ${emulator.account.apiKey}` },
    ...(signal === undefined ? {} : { signal }),
  });

describe('createEmulator', () => {
  it('listens on a free loopback port and exposes the documented default account', () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.account).toEqual({
      name: 'default',
      apiKey: 'sk-emulator-default-0000000000000000',
      accessKeyId: 'EMULATOR-AK-DEFAULT',
      accessKeySecret: 'emulator-default-secret-not-a-real-one',
      workspaceId: 'llm-emulator',
      categoryId: 'cate_emulator_default',
    });
    expect(emulator.account).toBe(defaultAccount);
    expect(Object.keys(emulator.state).sort()).toEqual(['bailian', 'dashscope', 'files']);
  });

  it('answers an unknown route with 404 JSON and logs every call without secrets', async () => {
    const response = await fetch(`${emulator.url}/nowhere?OSSAccessKeyId=id&Signature=c2VjcmV0`, {
      method: 'POST',
      body: 'twelve bytes',
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'NotFound', message: 'No route for POST /nowhere' });
    await (await getPolicy()).text();
    expect(emulator.calls).toEqual([
      expect.objectContaining({
        id: 1,
        method: 'POST',
        path: '/nowhere?OSSAccessKeyId=id&Signature=***',
        route: '',
        status: 404,
        requestBytes: 12,
        responseBytes: Buffer.byteLength(JSON.stringify(body)),
        account: undefined,
      }),
      expect.objectContaining({
        route: 'dashscope.getPolicy',
        status: 200,
        requestBytes: 0,
        account: 'default',
      }),
    ]);
    expect(JSON.stringify(emulator.calls)).not.toContain('c2VjcmV0');
  });

  it('turns every rate limit off with limits.isRateLimited = false', async () => {
    const statuses = async (isRateLimited: boolean) => {
      const limited = await createEmulator({
        clock: { isFrozen: true },
        limits: { isRateLimited },
        dashscope: { getPolicyQps: 1 },
      });
      try {
        const answers: number[] = [];
        for (let index = 0; index < 3; index += 1) {
          const response = await fetch(`${limited.url}${policyPath}`, {
            headers: { authorization: `Bearer ${limited.account.apiKey}` },
          });
          await response.text();
          answers.push(response.status);
        }
        return answers;
      } finally {
        await limited.close();
      }
    };
    expect(await statuses(true)).toEqual([200, 429, 429]);
    expect(await statuses(false)).toEqual([200, 200, 200]);
  });

  it('keeps only the newest maxCallRecords calls', async () => {
    const small = await createEmulator({ maxCallRecords: 2 });
    try {
      for (const path of ['/a', '/b', '/c']) await (await fetch(`${small.url}${path}`)).text();
      await expect.poll(() => small.calls.map((call) => call.path)).toEqual(['/b', '/c']);
      expect(small.calls.map((call) => call.id)).toEqual([2, 3]);
    } finally {
      await small.close();
    }
  });

  it('refuses accounts that share a name, key or AccessKey ID', async () => {
    await expect(createEmulator({ accounts: [{ ...defaultAccount, name: 'copy' }] })).rejects.toThrow(
      'Two emulator accounts share the same apiKey',
    );
  });

  it('rethrows the abort reason of its signal', async () => {
    const reason = new Error('stop');
    await expect(createEmulator({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('removes its temporary data folder on close and keeps a folder it was given', async () => {
    const temporary = await createEmulator();
    expect(existsSync(temporary.dataDir)).toBe(true);
    await temporary.close();
    expect(existsSync(temporary.dataDir)).toBe(false);
    const given = mkdtempSync(join(tmpdir(), 'emulator-given-'));
    try {
      const kept = await createEmulator({ dataDir: given });
      await kept.close();
      expect(existsSync(given)).toBe(true);
    } finally {
      rmSync(given, { recursive: true, force: true });
    }
  });
});

describe('faults', () => {
  it('answers 429 with Retry-After, then lets the next call through', async () => {
    emulator.faults.next({
      route: 'dashscope.getPolicy',
      fault: { type: 'status', status: 429, retryAfterSeconds: 3 },
    });
    const throttled = await getPolicy();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(await throttled.json()).toMatchObject({
      code: 'Throttling.RateQuota',
      message: 'Requests rate limit exceeded, please try again later.',
    });
    expect((await getPolicy()).status).toBe(200);
    expect(emulator.calls.map((call) => [call.status, call.fault])).toEqual([
      [429, 'status'],
      [200, undefined],
    ]);
  });

  it('answers 500 and 503 with service-style bodies, and OSS routes in XML', async () => {
    emulator.faults.next({ fault: { type: 'status', status: 500 } });
    emulator.faults.next({ fault: { type: 'status', status: 503, code: 'Busy', message: 'Try later.' } });
    const first = await getPolicy();
    expect(first.status).toBe(500);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(await first.json()).toMatchObject({ code: 'InternalError' });
    const second = await getPolicy();
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ code: 'Busy', message: 'Try later.' });
    emulator.faults.next({ route: 'oss.*', fault: { type: 'status', status: 503 } });
    const oss = await fetch(`${emulator.url}/oss/dashscope-file-emulator`, { method: 'POST', body: 'x' });
    expect(oss.status).toBe(503);
    expect(oss.headers.get('content-type')).toBe('application/xml');
    expect(await oss.text()).toContain('<Code>ServiceUnavailable</Code>');
  });

  it('resets the connection in the middle of a request body', async () => {
    emulator.faults.next({ route: 'oss.postObject', fault: { type: 'reset' } });
    async function* slowBody() {
      yield Buffer.alloc(64 * 1024, 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      yield Buffer.alloc(64 * 1024, 2);
    }
    await expect(
      request(`${emulator.url}/oss/dashscope-file-emulator`, {
        method: 'POST',
        headers: { 'content-length': String(128 * 1024), 'content-type': 'multipart/form-data; boundary=x' },
        body: Readable.from(slowBody()),
      }),
    ).rejects.toThrow();
    await expect.poll(() => emulator.calls.length).toBe(1);
    const [call] = emulator.calls;
    expect(call).toMatchObject({ route: 'oss.postObject', status: 0, fault: 'reset' });
    expect(call!.requestBytes).toBeGreaterThan(0);
    expect(call!.requestBytes).toBeLessThan(128 * 1024);
  });

  it('resets the connection in the middle of a response body', async () => {
    emulator.faults.next({ fault: { type: 'reset', phase: 'response' } });
    const response = await getPolicy();
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('delays a call by at least delayMs, then answers it normally', async () => {
    emulator.faults.next({ fault: { type: 'delay', delayMs: 150 } });
    const started = performance.now();
    const response = await getPolicy();
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(emulator.calls[0]).toMatchObject({ status: 200, fault: 'delay' });
  });

  it('stalls a call until the client gives up', async () => {
    emulator.faults.next({ fault: { type: 'stall' } });
    const reason = new Error('client timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 200);
    await expect(getPolicy(controller.signal)).rejects.toBe(reason);
    await expect.poll(() => emulator.calls[0]?.fault).toBe('stall');
    expect(emulator.calls[0]?.status).toBe(0);
    expect((await getPolicy()).status).toBe(200);
  });

  it('stalls a response body after its first bytes', async () => {
    emulator.faults.next({ fault: { type: 'stall', phase: 'response' } });
    const reason = new Error('body timeout');
    const controller = new AbortController();
    const response = await getPolicy(controller.signal);
    expect(response.status).toBe(200);
    setTimeout(() => controller.abort(reason), 200);
    await expect(response.text()).rejects.toBe(reason);
    await expect.poll(() => emulator.calls[0]?.fault).toBe('stall');
    expect(emulator.calls[0]?.status).toBe(200);
  });

  it('fires seeded probabilistic faults the same way on every run', async () => {
    const run = async () => {
      const seeded = await createEmulator({
        faults: {
          seed: 99,
          rules: [{ fault: { type: 'status', status: 503 }, times: 'always', probability: 0.5 }],
        },
      });
      try {
        const statuses: number[] = [];
        for (let index = 0; index < 20; index += 1) {
          const response = await fetch(`${seeded.url}${policyPath}`, {
            headers: { authorization: `Bearer ${seeded.account.apiKey}` },
          });
          await response.text();
          statuses.push(response.status);
        }
        return statuses;
      } finally {
        await seeded.close();
      }
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 503]));
  });
});

describe('admin API', () => {
  it('moves the clock, plans faults and reads calls over HTTP', async () => {
    const admin = createAdminClient(emulator.url);
    const info = await admin.info();
    expect(info.url).toBe(emulator.url);
    expect(info.account).toEqual(defaultAccount);
    const before = await admin.now();
    const after = await admin.advanceClock(48 * 3600_000);
    expect(after.nowMs - before.nowMs).toBeGreaterThanOrEqual(48 * 3600_000);
    expect((await admin.setClock(Date.parse('2030-01-01T00:00:00Z'))).now.slice(0, 10)).toBe('2030-01-01');

    const id = await admin.addFault({
      route: 'dashscope.getPolicy',
      fault: { type: 'status', status: 503 },
      times: 2,
    });
    expect(await admin.faults()).toEqual([
      {
        id,
        rule: { route: 'dashscope.getPolicy', fault: { type: 'status', status: 503 }, times: 2 },
        remaining: 2,
      },
    ]);
    expect((await getPolicy()).status).toBe(503);
    await admin.clearFaults();
    expect((await getPolicy()).status).toBe(200);

    const calls = await admin.calls({ route: 'dashscope.getPolicy' });
    expect(calls.map((call) => call.status)).toEqual([503, 200]);
    expect(calls.map((call) => [call.fault, call.account])).toEqual([
      ['status', undefined],
      [undefined, 'default'],
    ]);
    await admin.clearCalls();
    expect(await admin.calls()).toEqual([]);

    await admin.reset();
    expect(Math.abs((await admin.now()).nowMs - Date.now())).toBeLessThan(60_000);
  });

  it('rejects invalid admin input with 400 and unknown admin routes with 404', async () => {
    const admin = createAdminClient(emulator.url);
    await expect(admin.addFault({ fault: { type: 'status', status: 99 } })).rejects.toThrow(
      'POST /__emulator/faults: 400 fault.status must be an HTTP error status (400-599)',
    );
    const error = await admin.advanceClock(Number.NaN).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminRequestError);
    expect((error as AdminRequestError).status).toBe(400);
    const state = (await (await fetch(`${emulator.url}/__emulator/state`)).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ dashscope: { objects: [], uploadDirs: expect.any(Array) } });
    expect(Object.keys(state).sort()).toEqual(['bailian', 'dashscope', 'files']);
    const unknown = await fetch(`${emulator.url}/__emulator/nothing`);
    expect(unknown.status).toBe(404);
    expect(emulator.calls).toEqual([]);
  });

  it('rethrows the abort reason of a call', async () => {
    const reason = new Error('cancelled');
    await expect(createAdminClient(emulator.url).now({ signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
  });
});
