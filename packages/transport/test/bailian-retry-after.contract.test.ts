import { createEmulator, type Emulator } from '@x/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acs3, createTransport, type Limiter, type Transport, TransportError } from '../src/index.js';

// Bailian's throttles carry their wait in `x-acs-retry-after`, in milliseconds (spec bailian-data-api §7: the official
// SDK's `ThrottlingError.retryAfter`). The emulator's Bailian answers carry that header, as the service's do.

let emulator: Emulator;
let transport: Transport;
const penalties: [string, number][] = [];
const limiter: Limiter = {
  async acquire() {},
  penalize(key, retryAfterMs) {
    penalties.push([key, retryAfterMs]);
  },
};

beforeAll(async () => {
  emulator = await createEmulator();
  transport = createTransport({
    baseUrl: emulator.url,
    auth: acs3({
      accessKeyId: emulator.account.accessKeyId,
      accessKeySecret: emulator.account.accessKeySecret,
    }),
    // A backoff of at most 1 ms: any longer wait comes from the server's header.
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    limiter,
  });
});
afterAll(async () => {
  await transport.close();
  await emulator.close();
});
beforeEach(() => {
  emulator.reset();
  penalties.length = 0;
});

function listFile(rejectBody?: Parameters<Transport['request']>[0]['rejectBody']) {
  return transport.request({
    method: 'GET',
    path: `/${emulator.account.workspaceId}/datacenter/files`,
    query: { CategoryId: 'default' },
    headers: { 'x-acs-action': 'ListFile', 'x-acs-version': '2023-12-29' },
    limitKey: 'listFile:emulator',
    ...(rejectBody ? { rejectBody, retryThrottled: true } : {}),
  });
}

describe("Bailian's x-acs-retry-after, against the emulator", () => {
  it('a 429 DataCenter.Throttling: waited for as the header says, in milliseconds, and told to the limiter', async () => {
    emulator.faults.next({ route: 'ListFile', fault: { type: 'status', status: 429, retryAfterSeconds: 2 } });
    const response = await listFile();
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(2);
    expect(response.totalDelayMs).toBe(2000);
    expect(penalties).toEqual([['listFile:emulator', 2000]]);
    expect(emulator.calls.map((call) => call.fault ?? call.status)).toEqual(['status', 200]);
  });

  it('a 200 with Success: false and a Throttling code: its retry hint waited for as a 429 is', async () => {
    emulator.faults.next({
      route: 'ListFile',
      fault: { type: 'successFalse', code: 'DataCenter.Throttling', retryAfterSeconds: 1 },
    });
    const response = await listFile((body) => {
      const envelope = body as { Success?: unknown; Code?: string };
      if (envelope.Success !== false) return undefined;
      return {
        error: new TransportError('SERVICE_FAILURE', `Success: false, ${envelope.Code}`, {
          isRetryable: true,
        }),
        isThrottled: envelope.Code?.includes('Throttling') ?? false,
      };
    });
    expect(response.attempts).toBe(2);
    expect(response.totalDelayMs).toBe(1000);
    expect(penalties).toEqual([['listFile:emulator', 1000]]);
  });
});
