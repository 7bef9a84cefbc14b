import { z } from 'zod';
import type { Transport } from './create-transport.js';
import { InvalidInputError } from './invalid-input-error.js';
import type { Limiter } from './limiter.js';

/** Anything that holds something to release with `close()`: a transport, a limiter of `@x/ratelimit`, a store. */
export interface Closable {
  /** Releases what the object holds. */
  close(): Promise<void>;
}

/** Options of {@link createClientResources}. */
export interface ClientResourcesOptions {
  /** What the client is called in its `CLIENT_CLOSED` message, `This <name> was closed`: e.g. `files client`. */
  name: string;
  /**
   * The caller's transport: used as given, never closed by `close()`.
   * @default the one `defaultTransport` builds, closed by `close()`
   */
  transport?: Transport | undefined;
  /**
   * The caller's limiter, handed to `defaultTransport` and never closed by `close()`; `false` for none.
   * @default the one `defaultLimiter` builds when no `transport` is given either, closed by `close()`
   */
  limiter?: Limiter | false | undefined;
  /**
   * Builds the client's own transport, with the limiter it is to use (the caller's, the client's own, or `undefined`
   * for none). Called once, and only when no `transport` is given.
   */
  defaultTransport: (limiter: Limiter | undefined) => Transport;
  /**
   * Builds the client's own limiter (the service's documented quotas, for example). Called once, and only when
   * neither `transport` nor `limiter` is given: a caller's transport brings its own limiter.
   * @default none: without a limiter of the caller's, requests are not limited on the client side
   */
  defaultLimiter?: () => Limiter & Closable;
}

/** The transport of a client, and the closing of what the client built for itself. */
export interface ClientResources {
  /** The transport every call of the client goes through: the caller's, or the client's own. */
  readonly transport: Transport;
  /** Whether `transport` was built here (and is closed by `close()`), rather than given by the caller. */
  readonly ownsTransport: boolean;
  /**
   * Throws once `close()` was called; call it at the start of every operation, before any byte is sent.
   * @throws `InvalidInputError` `CLIENT_CLOSED`, e.g. `This files client was closed`.
   */
  assertOpen(): void;
  /**
   * Closes the transport and the limiter built here, the transport first, and never a transport or a limiter the
   * caller gave. Calling it again returns the first call's promise.
   * @throws What the transport's or the limiter's `close()` throws (both are closed either way).
   */
  close(): Promise<void>;
}

/**
 * Takes a client's transport and limiter as the caller gave them, or builds the client's own, and remembers which
 * are whose so that `close()` releases only the client's own. A client holds no global state (ARCHITECTURE.md,
 * "Where state lives"): every client owns the dispatcher and the limiter it built, and `close()` releases them.
 *
 * @throws Whatever `defaultTransport` or `defaultLimiter` throws.
 * @example
 * ```ts
 * const resources = createClientResources({
 *   name: 'files client',
 *   transport: options.transport,
 *   limiter: options.limiter,
 *   defaultLimiter: () => createQuotaLimiter({ quotas }),
 *   defaultTransport: (limiter) => createTransport({ baseUrl, auth: bearer(options.apiKey), limiter }),
 * });
 * resources.assertOpen();
 * await resources.transport.request({ method: 'GET', path: '/files' });
 * await resources.close(); // closes the transport and the limiter built above, never the caller's
 * ```
 */
export function createClientResources(options: ClientResourcesOptions): ClientResources {
  const given = options.transport;
  const ownLimiter =
    given === undefined && options.limiter === undefined ? options.defaultLimiter?.() : undefined;
  const limiter = options.limiter === false ? undefined : (options.limiter ?? ownLimiter);
  let transport: Transport;
  try {
    transport = given ?? options.defaultTransport(limiter);
  } catch (error) {
    // Nothing will ever close the client: release its limiter now.
    void ownLimiter?.close().catch(() => undefined);
    throw error;
  }
  const ownTransport = given === undefined ? transport : undefined;
  let closing: Promise<void> | undefined;

  async function closeOwn(): Promise<void> {
    try {
      await ownTransport?.close();
    } finally {
      await ownLimiter?.close();
    }
  }

  return {
    transport,
    ownsTransport: ownTransport !== undefined,
    assertOpen() {
      if (closing !== undefined)
        throw new InvalidInputError('CLIENT_CLOSED', `This ${options.name} was closed`);
    },
    close() {
      closing ??= closeOwn();
      return closing;
    },
  };
}

/**
 * The `transport` option of a client: an object with `request()`, such as `createTransport()` returns. Put it in
 * the client's strict options schema (checked by `checkOptions`).
 */
export const transportOptionSchema = z.custom<Transport>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as Transport).request === 'function',
  { message: 'Expected a transport from createTransport()' },
);

/**
 * The `limiter` option of a client: an object with `acquire()` (a {@link Limiter}, such as `@x/ratelimit` builds).
 * Put it in the client's strict options schema (checked by `checkOptions`).
 */
export const limiterOptionSchema = z.custom<Limiter>(
  (value) => typeof value === 'object' && value !== null && typeof (value as Limiter).acquire === 'function',
  { message: 'Expected a limiter with acquire()' },
);
