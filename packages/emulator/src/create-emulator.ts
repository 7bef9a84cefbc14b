import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleAdminRequest } from './admin-routes.js';
import { type BailianSurfaceOptions, createBailianSurface } from './bailian/bailian-surface.js';
import { collectCallDetails } from './call-details.js';
import type { CallRecord } from './call-record.js';
import { redactPath } from './call-record.js';
import { createConsoleSurface } from './console/console-surface.js';
import {
  createDashScopeSurface,
  type DashScopeState,
  type DashScopeSurface,
  type DashScopeSurfaceOptions,
} from './dashscope/dashscope-surface.js';
import { defaultAccount } from './default-account.js';
import { createEmulatorClock, type EmulatorClockOptions } from './emulator-clock.js';
import { faultAnswer } from './fault-answer.js';
import { createFaultPlan, type Fault, type FaultPlan, type FaultPlanOptions } from './fault-plan.js';
import { createFilesSurface, type FilesSurfaceOptions } from './files/files-surface.js';
import { drainRequest, newRequestId, sendJson } from './http-reply.js';
import { loseAnswer } from './lose-answer.js';
import { newOssRequestId, ossErrorXml } from './oss-error-xml.js';
import { createSlidingWindow } from './sliding-window.js';
import type { EmulatorAccount, EmulatorClock, Exchange, Surface, SurfaceContext } from './surface.js';

/** Switches for the emulator's quotas. */
export interface EmulatorLimits {
  /**
   * Enforce the services' rate limits (getPolicy 100 QPS, Files API 3/10 QPS, AddFile 10/s...). Turn off for tests
   * that fire many calls and do not care about throttling.
   * @default true
   */
  readonly isRateLimited?: boolean;
}

/** Options of {@link createEmulator}. */
export interface EmulatorOptions {
  /**
   * TCP port; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Folder for stored object bodies. When omitted, a fresh folder under the OS temp folder is created and removed by
   * `close()`; a folder you give is left in place.
   * @default a new temporary folder
   */
  readonly dataDir?: string;
  /**
   * The clock, or options for the built-in one.
   * @default real time, movable by `emulator.clock.advance` / `set`
   */
  readonly clock?: EmulatorClock | EmulatorClockOptions;
  /**
   * Seed and initial rules of the fault plan.
   * @default no faults, seed 1
   */
  readonly faults?: FaultPlanOptions;
  /**
   * Accounts besides the built-in {@link defaultAccount}; names, API keys and AccessKey IDs must be unique.
   * @default []
   */
  readonly accounts?: readonly EmulatorAccount[];
  /**
   * Quota switches.
   * @default { isRateLimited: true }
   */
  readonly limits?: EmulatorLimits;
  /**
   * Refuse upload requests without a `Content-Length` header (chunked bodies) with 411, on every surface that
   * accepts uploads.
   * @default false
   */
  readonly requireContentLength?: boolean;
  /**
   * Options of the DashScope temporary storage surface (getPolicy, OSS PostObject, model calls).
   * @default {}
   */
  readonly dashscope?: DashScopeSurfaceOptions;
  /**
   * Options of the OpenAI-compatible Files API surface.
   * @default {}
   */
  readonly files?: FilesSurfaceOptions;
  /**
   * Options of the Bailian data API surface.
   * @default {}
   */
  readonly bailian?: BailianSurfaceOptions;
  /**
   * Most call records kept; the oldest are dropped beyond it, so a long-running emulator does not grow forever.
   * @default 100000
   */
  readonly maxCallRecords?: number;
  /** Aborts starting the server. */
  readonly signal?: AbortSignal;
}

/** What each surface holds, for tests to inspect (`emulator.state`). */
export interface EmulatorState {
  /** DashScope temporary storage: objects and issued upload directories. */
  readonly dashscope: DashScopeState;
  /** OpenAI-compatible Files API: stored files. */
  readonly files: ReturnType<typeof createFilesSurface>['state'];
  /** Bailian data API: leases, objects, files, categories, STS credentials. */
  readonly bailian: ReturnType<typeof createBailianSurface>['state'];
}

/** A running emulator. */
export interface Emulator {
  /** Origin to point clients at, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** The built-in default account's credentials. */
  readonly account: EmulatorAccount;
  /** Every account, the default one first. */
  readonly accounts: readonly EmulatorAccount[];
  /** A snapshot of every request answered so far (admin requests excluded), oldest first. */
  readonly calls: readonly CallRecord[];
  /** Inspectable state of each surface, keyed by surface name. */
  readonly state: EmulatorState;
  /** The emulated clock. */
  readonly clock: EmulatorClock;
  /** The fault plan; add rules with `faults.next(...)`. */
  readonly faults: FaultPlan;
  /** Folder holding stored object bodies. */
  readonly dataDir: string;
  /** Empties the call log. */
  clearCalls(): void;
  /**
   * Clears the call log, the fault plan and the quota windows, and puts the built-in clock back where it started
   * (`clock.startMs`, else real time). Objects, files and leases stay.
   */
  reset(): void;
  /** Stops the server, drops open connections, releases surfaces and removes the temporary data folder. */
  close(): Promise<void>;
}

/**
 * Starts a local Model Studio on one loopback port: DashScope temporary storage with its OSS PostObject endpoint,
 * the OpenAI-compatible Files API and the Bailian data API, plus an admin API under `/__emulator/` and a web console
 * at `/__emulator/` (live tables, request timeline, quota gauges, fault and clock controls).
 *
 * @example
 * ```ts
 * const emulator = await createEmulator();
 * const response = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`, {
 *   headers: { authorization: `Bearer ${emulator.account.apiKey}` },
 * });
 * await emulator.close();
 * ```
 * @throws {Error} When the port cannot be bound, or `signal` aborts (its reason is rethrown).
 * @throws {TypeError} When two accounts share a name, API key or AccessKey ID, or `maxCallRecords` is not a
 * positive integer.
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  options.signal?.throwIfAborted();
  const accounts = [defaultAccount, ...(options.accounts ?? [])];
  checkAccountsUnique(accounts);
  const maxCallRecords = options.maxCallRecords ?? 100_000;
  if (!Number.isSafeInteger(maxCallRecords) || maxCallRecords < 1) {
    throw new TypeError('maxCallRecords must be a positive integer');
  }
  const clock = isClock(options.clock) ? options.clock : createEmulatorClock(options.clock);
  const faults = createFaultPlan(options.faults);
  const window = createSlidingWindow(clock);
  const isRateLimited = options.limits?.isRateLimited ?? true;
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'x-emulator-')));
  let baseUrl = '';

  const context: SurfaceContext = {
    clock,
    accounts,
    dataDir,
    baseUrl: () => baseUrl,
    withinQuota: (key, limit, intervalMs) => !isRateLimited || window.withinQuota(key, limit, intervalMs),
  };
  const requireContentLength = options.requireContentLength ?? false;
  let surfaces: Surface[] = [];
  const release = async () => {
    for (const surface of surfaces) await surface.close?.();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
  };
  let dashscope: DashScopeSurface;
  let files: ReturnType<typeof createFilesSurface>;
  let bailian: ReturnType<typeof createBailianSurface>;
  try {
    dashscope = createDashScopeSurface(context, { requireContentLength, ...options.dashscope });
    files = createFilesSurface(context, { requireContentLength, ...options.files });
    bailian = createBailianSurface(context, { requireContentLength, ...options.bailian });
  } catch (error) {
    await release();
    throw error;
  }
  surfaces = [dashscope, files, bailian];
  const state: EmulatorState = {
    get dashscope() {
      return dashscope.state;
    },
    get files() {
      return files.state;
    },
    get bailian() {
      return bailian.state;
    },
  };

  let calls: CallRecord[] = [];
  let nextCallId = 1;
  const callListeners = new Set<(call: CallRecord) => void>();
  const webConsole = createConsoleSurface({
    emulator: () => emulatorView,
    quotas: () => window.usage(),
    isRateLimited,
    onCall(listener) {
      callListeners.add(listener);
      return () => callListeners.delete(listener);
    },
  });
  const stalled = new Set<IncomingMessage>();
  const closing = new AbortController();

  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5000 }, (request, response) => {
    const startedAtMs = clock.now();
    const requestBytes = countRequestBytes(request);
    const responseBytes = countResponseBytes(response);
    const target = request.url ?? '/';
    const method = request.method ?? 'GET';
    const url = URL.canParse(target, baseUrl) ? new URL(target, baseUrl) : undefined;
    if (url === undefined) {
      sendJson(response, 400, {
        request_id: newRequestId(),
        code: 'InvalidParameter',
        message: 'Malformed request target',
      });
      return;
    }

    if (webConsole.match(method, url)) {
      webConsole.handle(request, response, url).catch((error: unknown) => failUnexpectedly(response, error));
      return;
    }
    if (url.pathname.startsWith('/__emulator/')) {
      handleAdminRequest({ request, response, url, emulator: emulatorView }).catch((error: unknown) => {
        failUnexpectedly(response, error);
      });
      return;
    }

    let route = '';
    let surface: Surface | undefined;
    for (const candidate of surfaces) {
      const matched = candidate.match(method, url);
      if (matched !== undefined) {
        route = matched;
        surface = candidate;
        break;
      }
    }

    let account: string | undefined;
    let faultType: string | undefined;
    const arrivedAt = performance.now();
    const notes = collectCallDetails(response);
    response.once('close', () => {
      stalled.delete(request);
      const path = redactPath(target);
      const status = response.headersSent ? response.statusCode : 0;
      const call: CallRecord = {
        id: nextCallId++,
        method,
        path,
        route,
        status,
        requestBytes: requestBytes(),
        responseBytes: responseBytes(),
        account,
        fault: faultType,
        startedAtMs,
        durationMs: performance.now() - arrivedAt,
        ...notes.details({ path, status, fault: faultType }),
      };
      calls.push(call);
      if (calls.length >= 2 * maxCallRecords) calls = calls.slice(-maxCallRecords);
      for (const listener of callListeners) listener(call);
    });

    let outcomeFault: Fault | undefined;
    const exchange: Exchange = {
      request,
      response,
      url,
      route,
      context,
      get fault() {
        return outcomeFault;
      },
      setAccount(name) {
        account = name;
      },
      setReason: notes.setReason,
      addSubject: notes.addSubject,
    };

    void (async () => {
      if (surface === undefined) {
        await drainRequest(request);
        sendJson(response, 404, {
          request_id: newRequestId(),
          code: 'NotFound',
          message: `No route for ${method} ${url.pathname}`,
        });
        return;
      }
      const fault = faults.take(route);
      faultType = fault?.type;
      if (fault !== undefined) {
        const isHandled = await applyFault(fault, exchange, surface, stalled, closing.signal);
        if (isHandled) return;
        if (fault.type === 'safeCheckFailed') outcomeFault = fault;
      }
      await surface.handle(exchange);
    })().catch((error: unknown) => failUnexpectedly(response, error));
  });

  try {
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1', options.signal);
  } catch (error) {
    await release();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  let isClosed = false;
  const emulatorView: Emulator = {
    url: baseUrl,
    account: defaultAccount,
    accounts,
    get calls() {
      return calls.slice(-maxCallRecords);
    },
    state,
    clock,
    faults,
    dataDir,
    clearCalls() {
      calls = [];
    },
    reset() {
      calls = [];
      faults.clear();
      window.clear();
      if (!isClock(options.clock)) clock.set(options.clock?.startMs ?? Date.now());
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      closing.abort();
      webConsole.close();
      for (const request of stalled) request.socket.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await release();
    },
  };
  return emulatorView;
}

function isClock(value: EmulatorOptions['clock']): value is EmulatorClock {
  return typeof (value as EmulatorClock | undefined)?.now === 'function';
}

function checkAccountsUnique(accounts: readonly EmulatorAccount[]): void {
  for (const field of ['name', 'apiKey', 'accessKeyId'] as const) {
    const values = new Set(accounts.map((account) => account[field]));
    if (values.size !== accounts.length) throw new TypeError(`Two emulator accounts share the same ${field}`);
  }
}

function listen(
  server: ReturnType<typeof createServer>,
  port: number,
  host: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      server.close();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    server.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    server.listen(port, host, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Counts request body bytes as the HTTP parser hands them over, without consuming the stream. */
function countRequestBytes(request: IncomingMessage): () => number {
  let sizeBytes = 0;
  const push = request.push.bind(request);
  request.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk instanceof Uint8Array) sizeBytes += chunk.byteLength;
    return push(chunk, encoding);
  };
  return () => sizeBytes;
}

/** Counts response body bytes written through `write` and `end`. */
function countResponseBytes(response: ServerResponse): () => number {
  let sizeBytes = 0;
  const count = (chunk: unknown) => {
    if (typeof chunk === 'string') sizeBytes += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) sizeBytes += chunk.byteLength;
  };
  const write = response.write.bind(response) as (...parameters: unknown[]) => boolean;
  const end = response.end.bind(response) as (...parameters: unknown[]) => ServerResponse;
  response.write = ((chunk: unknown, ...rest: unknown[]) => {
    count(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') count(chunk);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
  return () => sizeBytes;
}

/** The first half of a JSON body, for faults that break a response off. */
const partialBody = '{"request_id":"00000000-0000-0000-0000-000000000000","output":';

/** Applies a fault. Returns true when the request is answered (or dropped) and the surface must not handle it. */
async function applyFault(
  fault: Fault,
  exchange: Exchange,
  surface: Surface,
  stalled: Set<IncomingMessage>,
  closing: AbortSignal,
): Promise<boolean> {
  const { request, response, route } = exchange;
  switch (fault.type) {
    case 'delay':
      await sleep(fault.delayMs, undefined, { signal: closing }).catch(() => undefined);
      return closing.aborted;
    case 'stall':
      stalled.add(request);
      if (fault.phase === 'response') {
        await drainRequest(request);
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': partialBody.length * 2,
        });
        response.write(partialBody);
      } else {
        request.pause();
      }
      return true;
    case 'safeCheckFailed':
      // Answered as usual: the surface reads the fault from `exchange.fault` and shapes what it creates.
      return false;
    case 'answerLost':
      // Handled as usual; the answer the surface writes is held back from the client and the connection reset.
      loseAnswer(response, fault.at ?? 'body');
      return false;
    case 'reset':
      if (fault.phase === 'response') {
        await drainRequest(request);
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': partialBody.length * 2,
        });
        response.write(partialBody, () => response.socket?.destroy());
        return true;
      }
      await firstChunkOrEnd(request);
      request.socket.destroy();
      return true;
    default: {
      await drainRequest(request);
      const answer = faultAnswer(fault, route);
      if (surface.sendError) {
        surface.sendError(exchange, answer);
      } else if (route.startsWith('oss.')) {
        const requestId = newOssRequestId();
        const xml = ossErrorXml(answer.code, answer.message, {
          requestId,
          hostId: request.headers.host ?? '127.0.0.1',
        });
        response.writeHead(answer.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(xml),
          'x-oss-request-id': requestId,
          ...answer.headers,
        });
        response.end(xml);
      } else {
        const { code, message } = answer;
        sendJson(response, answer.status, { request_id: newRequestId(), code, message }, answer.headers);
      }
      return true;
    }
  }
}

function firstChunkOrEnd(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    const hasBody =
      request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody || request.headers['content-length'] === '0') {
      resolve();
      return;
    }
    request.once('data', () => {
      request.pause();
      resolve();
    });
    request.once('end', resolve);
    request.once('close', resolve);
  });
}

function failUnexpectedly(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy(error instanceof Error ? error : undefined);
    return;
  }
  sendJson(response, 500, {
    request_id: newRequestId(),
    code: 'InternalError',
    message: `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
  });
}
