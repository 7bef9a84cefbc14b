import { z } from 'zod';
import type { CallRecord } from './call-record.js';
import type { FaultRule, PlannedFault } from './fault-plan.js';
import type { EmulatorAccount } from './surface.js';

/** Options of the admin client's calls. */
export interface AdminCallOptions {
  /** Aborts the call; its reason is rethrown as is. */
  readonly signal?: AbortSignal;
}

/** The emulated time, as the admin API reports it. */
export interface AdminClockState {
  /** Milliseconds since the epoch. */
  readonly nowMs: number;
  /** The same instant as an ISO 8601 string. */
  readonly now: string;
}

/** A typed client of a running emulator's admin API (`/__emulator/`), for tests in any process. */
export interface AdminClient {
  /** The emulator's URL, default account and current time. */
  info(options?: AdminCallOptions): Promise<AdminClockState & { url: string; account: EmulatorAccount }>;
  /** Reads the emulated clock. */
  now(options?: AdminCallOptions): Promise<AdminClockState>;
  /** Moves the emulated clock forward by `ms` milliseconds. */
  advanceClock(ms: number, options?: AdminCallOptions): Promise<AdminClockState>;
  /** Sets the emulated clock to `epochMs`. */
  setClock(epochMs: number, options?: AdminCallOptions): Promise<AdminClockState>;
  /** The recorded calls, optionally only those of one route. */
  calls(options?: AdminCallOptions & { route?: string }): Promise<CallRecord[]>;
  /** Empties the call log. */
  clearCalls(options?: AdminCallOptions): Promise<void>;
  /** Adds a fault rule (see `FaultRule`); returns its id. */
  addFault(rule: FaultRule, options?: AdminCallOptions): Promise<number>;
  /** The fault rules not yet used up. */
  faults(options?: AdminCallOptions): Promise<PlannedFault[]>;
  /** Removes every fault rule. */
  clearFaults(options?: AdminCallOptions): Promise<void>;
  /** Clears calls, faults and quotas, and puts the clock back. */
  reset(options?: AdminCallOptions): Promise<void>;
}

/** The admin API answered with an error status. */
export class AdminRequestError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'AdminRequestError';
    this.status = status;
  }
}

const clockSchema = z.object({ nowMs: z.number(), now: z.string() });
const accountSchema = z.object({
  name: z.string(),
  apiKey: z.string(),
  accessKeyId: z.string(),
  accessKeySecret: z.string(),
  workspaceId: z.string(),
  categoryId: z.string(),
});
const infoSchema = clockSchema.extend({ url: z.string(), account: accountSchema });
const callSchema = z.object({
  id: z.number(),
  method: z.string(),
  path: z.string(),
  route: z.string(),
  status: z.number(),
  requestBytes: z.number(),
  responseBytes: z.number(),
  account: z.string().optional(),
  fault: z.string().optional(),
  startedAtMs: z.number(),
});
const callsSchema = z.object({ calls: z.array(callSchema) });
const faultIdSchema = z.object({ id: z.number() });
const faultsSchema = z.object({
  faults: z.array(
    z.object({
      id: z.number(),
      rule: z.custom<FaultRule>(),
      remaining: z.union([z.number(), z.literal('always')]),
    }),
  ),
});
const errorSchema = z.object({ message: z.string() }).partial();

/**
 * Creates a client of an emulator's admin API, e.g. from a test that got the URL from the `./vitest` global setup.
 *
 * @param url - The emulator's URL (`emulator.url`).
 * @example
 * ```ts
 * const admin = createAdminClient(inject('emulator').url);
 * await admin.advanceClock(48 * 3600_000);
 * await admin.addFault({ route: 'AddFile', fault: { type: 'status', status: 503 } });
 * const calls = await admin.calls({ route: 'AddFile' });
 * ```
 * @throws {AdminRequestError} From each method, when the emulator answers with an error status.
 */
export function createAdminClient(url: string): AdminClient {
  const base = `${url.replace(/\/$/, '')}/__emulator/`;

  async function call<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | undefined,
    body: unknown,
    options: AdminCallOptions | undefined,
  ): Promise<T> {
    const init: RequestInit = { method, signal: options?.signal ?? null };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    let response: Response;
    try {
      response = await fetch(base + path, init);
    } catch (error) {
      if (options?.signal?.aborted) throw options.signal.reason;
      throw error;
    }
    const text = await response.text();
    if (!response.ok) {
      const parsed = errorSchema.safeParse(safeJson(text));
      const detail = parsed.success && parsed.data.message !== undefined ? parsed.data.message : text;
      throw new AdminRequestError(
        response.status,
        `${method} /__emulator/${path}: ${response.status} ${detail}`,
      );
    }
    return (schema === undefined ? undefined : schema.parse(JSON.parse(text))) as T;
  }

  return {
    info: (options) => call('GET', 'info', infoSchema, undefined, options),
    now: (options) => call('GET', 'clock', clockSchema, undefined, options),
    advanceClock: (ms, options) => call('POST', 'clock', clockSchema, { advanceMs: ms }, options),
    setClock: (epochMs, options) => call('POST', 'clock', clockSchema, { setMs: epochMs }, options),
    async calls(options) {
      const query = options?.route === undefined ? '' : `?route=${encodeURIComponent(options.route)}`;
      const { calls } = await call('GET', `calls${query}`, callsSchema, undefined, options);
      return calls as CallRecord[];
    },
    clearCalls: (options) => call('DELETE', 'calls', undefined, undefined, options),
    addFault: async (rule, options) => (await call('POST', 'faults', faultIdSchema, rule, options)).id,
    faults: async (options) => (await call('GET', 'faults', faultsSchema, undefined, options)).faults,
    clearFaults: (options) => call('DELETE', 'faults', undefined, undefined, options),
    reset: (options) => call('POST', 'reset', undefined, undefined, options),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
