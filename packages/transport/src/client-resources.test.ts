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

describe('createClientResources', () => {
  it('builds its own transport and limiter when given neither, uses them, and closes both', async () => {
    let built: ReturnType<typeof countedTransport> | undefined;
    let ownLimiter: ReturnType<typeof recordedLimiter> | undefined;
    const resources = createClientResources({
      name: 'files client',
      defaultLimiter: () => {
        ownLimiter = recordedLimiter();
        return ownLimiter;
      },
      defaultTransport: (limiter) => {
        built = countedTransport(limiter);
        return built;
      },
    });
    expect(resources.transport).toBe(built);
    expect(resources.ownsTransport).toBe(true);
    const response = await resources.transport.request({ method: 'GET', path: '/a', limitKey: 'files:a' });
    expect(response.status).toBe(200);
    expect(ownLimiter?.keys).toEqual(['files:a']);

    await resources.close();
    expect(built?.closeCount).toBe(1);
    expect(await acquireError(ownLimiter!)).toMatchObject({ code: 'LIMITER_CLOSED' });
  });

  it("never builds a limiter over the caller's, hands it to the transport, and never closes it", async () => {
    const callers = recordedLimiter();
    let built: ReturnType<typeof countedTransport> | undefined;
    let defaultLimiterCalls = 0;
    const resources = createClientResources({
      name: 'files client',
      limiter: callers,
      defaultLimiter: () => {
        defaultLimiterCalls += 1;
        return recordedLimiter();
      },
      defaultTransport: (limiter) => {
        expect(limiter).toBe(callers);
        built = countedTransport(limiter);
        return built;
      },
    });
    await resources.transport.request({ method: 'GET', path: '/a', limitKey: 'files:b' });
    await resources.close();
    expect(defaultLimiterCalls).toBe(0);
    expect(callers.keys).toEqual(['files:b']);
    expect(built?.closeCount).toBe(1);
    expect(await acquireError(callers)).toBeUndefined(); // still open
    await callers.close();
  });

  it('builds no limiter for limiter: false', async () => {
    let defaultLimiterCalls = 0;
    const handed: (Limiter | undefined)[] = [];
    const resources = createClientResources({
      name: 'files client',
      limiter: false,
      defaultLimiter: () => {
        defaultLimiterCalls += 1;
        return recordedLimiter();
      },
      defaultTransport: (limiter) => {
        handed.push(limiter);
        return countedTransport(limiter);
      },
    });
    await resources.close();
    expect(defaultLimiterCalls).toBe(0);
    expect(handed).toEqual([undefined]);
  });

  it("uses the caller's transport as given, builds nothing, and never closes it", async () => {
    const callers = countedTransport();
    let builds = 0;
    const resources = createClientResources({
      name: 'temporary storage client',
      transport: callers,
      defaultLimiter: () => {
        builds += 1;
        return recordedLimiter();
      },
      defaultTransport: () => {
        builds += 1;
        return countedTransport();
      },
    });
    expect(resources.transport).toBe(callers);
    expect(resources.ownsTransport).toBe(false);
    await resources.close();
    expect(builds).toBe(0);
    expect(callers.closeCount).toBe(0);
    expect((await callers.request({ method: 'GET', path: '/b' })).status).toBe(200);
    await callers.close();
  });

  it('refuses every operation after close() with CLIENT_CLOSED naming the client; close() runs once', async () => {
    let built: ReturnType<typeof countedTransport> | undefined;
    const resources = createClientResources({
      name: 'knowledge-base client',
      defaultTransport: (limiter) => {
        built = countedTransport(limiter);
        return built;
      },
    });
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
    expect(built?.closeCount).toBe(1);
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
  const key = 'sk-0123456789abcdef0123456789abcdef';
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
