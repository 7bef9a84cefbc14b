import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdminClient, createAdminClient } from '@x/emulator/vitest';
import { afterAll, inject } from 'vitest';
import {
  createKnowledgeBaseClient,
  type KnowledgeBaseClient,
  type KnowledgeBaseClientOptions,
} from '../../src/index.js';

/** What a contract test file works with. */
export interface ContractContext {
  readonly url: string;
  readonly workspaceId: string;
  readonly credentials: { accessKeyId: string; accessKeySecret: string };
  readonly admin: AdminClient;
  readonly directory: string;
  client(options?: KnowledgeBaseClientOptions): KnowledgeBaseClient;
  /** Writes a file in the scratch folder and returns its path. */
  file(name: string, content: string | Uint8Array): Promise<string>;
}

/** The shared emulator, its admin API, and a scratch folder removed after the file's tests. */
export async function contractContext(): Promise<ContractContext> {
  const { url, account } = inject('emulator');
  const admin = createAdminClient(url);
  const directory = await mkdtemp(join(tmpdir(), 'kb-lease-contract-'));
  const clients: KnowledgeBaseClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await rm(directory, { recursive: true, force: true });
  });
  const credentials = { accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret };
  return {
    url,
    workspaceId: account.workspaceId,
    credentials,
    admin,
    directory,
    client(options = {}) {
      const client = createKnowledgeBaseClient({
        workspaceId: account.workspaceId,
        endpoint: url,
        credentials,
        ...options,
      });
      clients.push(client);
      return client;
    },
    async file(name, content) {
      const path = join(directory, name);
      await writeFile(path, content);
      return path;
    },
  };
}

/** A small PDF the emulator's parser accepts. */
export function pdfBytes(text: string): Uint8Array {
  return Buffer.from(
    `%PDF-1.4\n% ${text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
}
