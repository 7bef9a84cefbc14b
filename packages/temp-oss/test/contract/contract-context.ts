import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallRecord } from '@x/emulator';
import { type AdminClient, createAdminClient } from '@x/emulator/vitest';
import { afterAll, inject } from 'vitest';

/** What a contract test file works with. */
export interface ContractContext {
  readonly url: string;
  readonly apiKey: string;
  readonly admin: AdminClient;
  readonly directory: string;
  uniqueModel(family?: string): string;
  callsFor(model: string): Promise<{ getPolicy: CallRecord[]; postObject: CallRecord[]; all: CallRecord[] }>;
}

/** The shared emulator, its admin API, and a scratch folder removed after the file's tests. */
export async function contractContext(): Promise<ContractContext> {
  const { url, account } = inject('emulator');
  const admin = createAdminClient(url);
  const directory = await mkdtemp(join(tmpdir(), 'temp-oss-contract-'));
  afterAll(() => rm(directory, { recursive: true, force: true }));
  return {
    url,
    apiKey: account.apiKey,
    admin,
    directory,
    /** A model name no other test uses, so call counts per model are this test's alone. */
    uniqueModel: (family = 'qwen-vl-plus') => `${family}-${randomUUID().slice(0, 8)}`,
    /** getPolicy and PostObject calls recorded for `model` (PostObject calls carry no model: all of them). */
    async callsFor(model: string) {
      const calls = await admin.calls();
      return {
        getPolicy: calls.filter(
          (call) =>
            call.route === 'dashscope.getPolicy' && call.path.includes(`model=${encodeURIComponent(model)}`),
        ),
        postObject: calls.filter((call) => call.route === 'oss.postObject'),
        all: calls,
      };
    },
  };
}

/** Asks the emulated model about `urls` through the native API, with or without the resolve header. */
export async function nativeModelCall(
  url: string,
  apiKey: string,
  model: string,
  content: unknown[],
  fetchLike: typeof fetch = fetch,
) {
  const response = await fetchLike(`${url}/api/v1/services/aigc/multimodal-generation/generation`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, input: { messages: [{ role: 'user', content }] } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
