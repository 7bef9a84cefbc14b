import { createHash } from 'node:crypto';
import { createRateLimiter } from '@x/ratelimit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type LoopbackServer, sendJson, startServer } from '../test/helpers.js';
import { apiKeyLabel } from './api-key-label.js';
import { checkOptions } from './check-options.js';
import {
  type Closable,
  createClientResources,
  limiterOptionSchema,
  transportOptionSchema,
} from './client-resources.js';
import { createTransport, type Transport } from './create-transport.js';
import { InvalidInputError } from './invalid-input-error.js';
import type { Limiter } from './limiter.js';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startServer((_request, response) => sendJson(response, 200, { ok: true }));
});
afterAll(() => server.close());

/** A real transport to the loopback server whose `close()` calls are counted. */
function countedTransport(limiter?: Limiter): Transport & { closeCount: number } {
  const transport = createTransport({ baseUrl: server.url, ...(limiter ? { limiter } : {}), retry: false });
  const counted = {
    closeCount: 0,
    request: transport.request,
    async close() {
      counted.closeCount += 1;
      await transport.close();
    },
  };
  return counted;
}

/** A real limiter whose `acquire()` keys are recorded. */
function recordedLimiter(): Limiter & Closable & { keys: string[] } {
  const limiter = createRateLimiter({ limit: 100, intervalMs: 1000 });
  const keys: string[] = [];
  return {
    keys,
    acquire(key, options) {
      keys.push(key);
      return limiter.acquire(key, options);
    },
    close: () => limiter.close(),
  };
}

async function acquireError(limiter: Limiter): Promise<unknown> {
  return limiter.acquire('files:a').then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** `defaultLimiter` and `defaultTransport` building real ones, each build recorded. */
function recordingDefaults() {
  const built = {
    limiters: [] as ReturnType<typeof recordedLimiter>[],
    transports: [] as ReturnType<typeof countedTransport>[],
    /** The limiter each `defaultTransport` call was handed. */
    handed: [] as (Limiter | undefined)[],
  };
  return {
    built,
    defaults: {
      defaultLimiter() {
        built.limiters.push(recordedLimiter());
        return built.limiters.at(-1)!;
      },
      defaultTransport(limiter: Limiter | undefined) {
        built.handed.push(limiter);
        built.transports.push(countedTransport(limiter));
        return built.transports.at(-1)!;
      },
    },
  };
}

describe('createClientResources', () => {
  it('builds its own transport and limiter when given neither, uses them, and closes both', async () => {
    const { built, defaults } = recordingDefaults();
    const resources = createClientResources({ name: 'files client', ...defaults });
    expect(built.limiters).toHaveLength(1);
    expect(built.handed).toEqual(built.limiters);
    expect(resources.transport).toBe(built.transports[0]);
    expect(resources.ownsTransport).toBe(true);
    const response = await resources.transport.request({ method: 'GET', path: '/a', limitKey: 'files:a' });
    expect(response.status).toBe(200);
    expect(built.limiters[0]!.keys).toEqual(['files:a']);

    await resources.close();
    expect(built.transports[0]!.closeCount).toBe(1);
    expect(await acquireError(built.limiters[0]!)).toMatchObject({ code: 'LIMITER_CLOSED' });
  });

  it("never builds a limiter over the caller's, hands it to the transport, and never closes it", async () => {
    const callers = recordedLimiter();
    const { built, defaults } = recordingDefaults();
    const resources = createClientResources({ name: 'files client', limiter: callers, ...defaults });
    await resources.transport.request({ method: 'GET', path: '/a', limitKey: 'files:b' });
    await resources.close();
    expect(built.limiters).toHaveLength(0);
    expect(built.handed).toEqual([callers]);
    expect(callers.keys).toEqual(['files:b']);
    expect(built.transports[0]!.closeCount).toBe(1);
    expect(await acquireError(callers)).toBeUndefined(); // still open
    await callers.close();
  });

  it('builds no limiter for limiter: false', async () => {
    const { built, defaults } = recordingDefaults();
    const resources = createClientResources({ name: 'files client', limiter: false, ...defaults });
    await resources.close();
    expect(built.limiters).toHaveLength(0);
    expect(built.handed).toEqual([undefined]);
  });

  it("uses the caller's transport as given, builds nothing, and never closes it", async () => {
    const callers = countedTransport();
    const { built, defaults } = recordingDefaults();
    const resources = createClientResources({
      name: 'temporary storage client',
      transport: callers,
      ...defaults,
    });
    expect(resources.transport).toBe(callers);
    expect(resources.ownsTransport).toBe(false);
    await resources.close();
    expect(built.limiters).toHaveLength(0);
    expect(built.transports).toHaveLength(0);
    expect(callers.closeCount).toBe(0);
    expect((await callers.request({ method: 'GET', path: '/b' })).status).toBe(200);
    await callers.close();
  });

  it('refuses every operation after close() with CLIENT_CLOSED naming the client; close() runs once', async () => {
    const { built, defaults } = recordingDefaults();
    const resources = createClientResources({
      name: 'knowledge-base client',
      defaultTransport: defaults.defaultTransport,
    });
    expect(built.handed).toEqual([undefined]);
    expect(() => resources.assertOpen()).not.toThrow();
    const first = resources.close();
    const error = (() => {
      try {
        resources.assertOpen();
      } catch (caught) {
        return caught;
      }
    })();
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CLIENT_CLOSED', message: 'This knowledge-base client was closed' });
    expect(resources.close()).toBe(first);
    await first;
    expect(built.transports[0]!.closeCount).toBe(1);
  });

  it("closes its limiter even when the transport's close() fails, and reports the failure", async () => {
    let ownLimiter: ReturnType<typeof recordedLimiter> | undefined;
    const failure = new Error('dispatcher would not close');
    const resources = createClientResources({
      name: 'files client',
      defaultLimiter: () => {
        ownLimiter = recordedLimiter();
        return ownLimiter;
      },
      defaultTransport: (limiter) => ({
        request: countedTransport(limiter).request,
        close: () => Promise.reject(failure),
      }),
    });
    await expect(resources.close()).rejects.toBe(failure);
    expect(await acquireError(ownLimiter!)).toMatchObject({ code: 'LIMITER_CLOSED' });
  });

  it('closes the limiter it built when building the transport throws', async () => {
    let ownLimiter: ReturnType<typeof recordedLimiter> | undefined;
    const failure = new InvalidInputError('INVALID_ENDPOINT', 'not an endpoint');
    expect(() =>
      createClientResources({
        name: 'knowledge-base client',
        defaultLimiter: () => {
          ownLimiter = recordedLimiter();
          return ownLimiter;
        },
        defaultTransport: () => {
          throw failure;
        },
      }),
    ).toThrow(failure);
    expect(await acquireError(ownLimiter!)).toMatchObject({ code: 'LIMITER_CLOSED' });
  });
});

describe('transportOptionSchema and limiterOptionSchema', () => {
  const schema = z.strictObject({
    transport: transportOptionSchema.optional(),
    limiter: limiterOptionSchema.optional(),
  });

  it('keep what they check as given', () => {
    const transport = countedTransport();
    const limiter = recordedLimiter();
    const checked = checkOptions(schema, { transport, limiter }, 'createClient');
    expect(checked.transport).toBe(transport);
    expect(checked.limiter).toBe(limiter);
  });

  it('name the option and what was expected', () => {
    expect(() => checkOptions(schema, { transport: 'http://x', limiter: {} }, 'createClient')).toThrow(
      'createClient: transport: Expected a transport from createTransport(), got "http://x"; limiter: Expected a limiter with acquire()',
    );
    expect(() => checkOptions(schema, { limiter: null }, 'createClient')).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});

describe('apiKeyLabel', () => {
  const key = 'sk-test-not-a-key-label-source';
  const expected = createHash('sha256').update(key).digest('hex').slice(0, 16);

  it('is the start of the SHA-256 of the explicit key, then of DASHSCOPE_API_KEY, never the key', () => {
    expect(apiKeyLabel(key, {})).toBe(expected);
    expect(apiKeyLabel(` ${key} `, {})).toBe(expected);
    expect(apiKeyLabel(undefined, { DASHSCOPE_API_KEY: key })).toBe(expected);
    expect(apiKeyLabel('', { DASHSCOPE_API_KEY: key })).toBe(expected);
    expect(apiKeyLabel(key, { DASHSCOPE_API_KEY: 'sk-other' })).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{16}$/);
    expect(key).not.toContain(expected);
  });

  it('is "default" when there is no key', () => {
    expect(apiKeyLabel(undefined, {})).toBe('default');
    expect(apiKeyLabel('  ', { DASHSCOPE_API_KEY: ' ' })).toBe('default');
  });
});
