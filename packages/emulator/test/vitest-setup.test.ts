import { describe, expect, inject, it } from 'vitest';
import { createAdminClient, createEmulatorGlobalSetup, type ProvidedEmulator } from '../src/vitest.js';

describe('createEmulatorGlobalSetup', () => {
  it('starts one emulator, provides its url and account, and closes it in teardown', async () => {
    const provided = new Map<string, ProvidedEmulator>();
    const setup = createEmulatorGlobalSetup({
      clock: { startMs: Date.parse('2030-06-01T00:00:00Z'), isFrozen: true },
    });
    const teardown = await setup({ provide: (key, value) => provided.set(key, value) });
    const emulator = provided.get('emulator');
    expect(emulator?.account.workspaceId).toBe('llm-emulator');
    const admin = createAdminClient(emulator!.url);
    expect((await admin.now()).now).toBe('2030-06-01T00:00:00.000Z');
    await teardown();
    await expect(admin.now()).rejects.toThrow();
  });
});

describe('the global setup of this package', () => {
  it('provides a running emulator to every test file through inject', async () => {
    const { url, account } = inject('emulator');
    expect(account.apiKey).toBe('sk-emulator-default-0000000000000000');
    const response = await fetch(`${url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`, {
      headers: { authorization: `Bearer ${account.apiKey}` },
    });
    expect(response.status).toBe(200);
    const admin = createAdminClient(url);
    const calls = await admin.calls({ route: 'dashscope.getPolicy' });
    expect(calls.at(-1)).toMatchObject({ status: 200, account: 'default' });
  });
});
