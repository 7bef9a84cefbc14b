import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallRecord } from '@x/emulator';
import { type AdminClient, createAdminClient } from '@x/emulator/vitest';
import { afterAll, inject } from 'vitest';
import { createFilesClient, type FilesClient, type FilesClientOptions } from '../../src/index.js';
import '../provided-context.js';

/** What a contract test file works with. */
export interface ContractContext {
  readonly url: string;
  readonly apiKey: string;
  readonly admin: AdminClient;
  readonly directory: string;
  /** A client of the shared emulator; closed after the file's tests. */
  client(options?: FilesClientOptions): FilesClient;
  /** Writes a file in the scratch folder and returns its path. */
  write(name: string, content: string | Uint8Array): Promise<string>;
  /** Calls of one route recorded since `since` (a call id), e.g. `files.upload`. */
  calls(route: string, since?: number): Promise<CallRecord[]>;
  /** The id of the last recorded call, to count calls made after it. */
  lastCallId(): Promise<number>;
  /** The files the emulator stores under `filename`, with the path of their bytes on disk. */
  storedFiles(filename: string): Promise<{ id: string; bytes: number; path: string }[]>;
}

/** The shared emulator, its admin API, clients, and a scratch folder removed after the file's tests. */
export async function contractContext(): Promise<ContractContext> {
  const { url, account } = inject('emulator');
  const admin = createAdminClient(url);
  const directory = await mkdtemp(join(tmpdir(), 'openai-files-contract-'));
  const clients: FilesClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await rm(directory, { recursive: true, force: true });
  });
  return {
    url,
    apiKey: account.apiKey,
    admin,
    directory,
    client(options = {}) {
      const client = createFilesClient({
        apiKey: account.apiKey,
        baseUrl: url,
        retry: { baseDelayMs: 20, maxDelayMs: 200 },
        ...options,
      });
      clients.push(client);
      return client;
    },
    async write(name, content) {
      const path = join(directory, name);
      await writeFile(path, content);
      return path;
    },
    async calls(route, since = 0) {
      return (await admin.calls({ route })).filter((call) => call.id > since);
    },
    async lastCallId() {
      const calls = await admin.calls();
      return calls.at(-1)?.id ?? 0;
    },
    async storedFiles(filename) {
      const response = await fetch(`${url}/__emulator/state`);
      const state = (await response.json()) as {
        files: { files: { id: string; filename: string; bytes: number; path: string }[] };
      };
      return state.files.files.filter((file) => file.filename === filename);
    },
  };
}

/** One valid Batch request line (seed 003, "用於Batch調用"). */
export function batchLine(customId: string): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'qwen-plus', messages: [{ role: 'user', content: `question ${customId}` }] },
  });
}
