import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault } from './fault-plan.js';

/**
 * The contract between the emulator's core (server, clock, accounts, faults, call log) and each service surface it
 * hosts (DashScope temporary storage + OSS, the Files API, the Bailian data API). A surface is a plain object; the core
 * asks every surface in turn to `match` a request, applies faults and rate limits by the route name it gets back,
 * then calls `handle`.
 */

/** One emulated Alibaba Cloud account. */
export interface EmulatorAccount {
  /** Name used in the call log and for per-account quotas. */
  readonly name: string;
  /** DashScope API key (Bearer). */
  readonly apiKey: string;
  /** AccessKey ID for the signed Bailian data API. */
  readonly accessKeyId: string;
  /** AccessKey secret. */
  readonly accessKeySecret: string;
  /** Bailian workspace the AccessKey may use. */
  readonly workspaceId: string;
  /** Default data-center category of the workspace. */
  readonly categoryId: string;
}

/** The emulator's clock: real time plus an offset tests can move. Milliseconds since the epoch. */
export interface EmulatorClock {
  /** Emulated time, in milliseconds since the epoch. */
  now(): number;
  /** Moves emulated time forward. */
  advance(ms: number): void;
  /** Sets emulated time. */
  set(epochMs: number): void;
}

/** What a surface may use from the core. */
export interface SurfaceContext {
  /** The emulated clock; every expiry (policies, leases, 48 h objects, quotas) reads it. */
  readonly clock: EmulatorClock;
  /** Every account, the default one first. */
  readonly accounts: readonly EmulatorAccount[];
  /** Folder for object bodies; surfaces make their own sub-folders. Bodies are streamed here, never held in memory. */
  readonly dataDir: string;
  /** `http://127.0.0.1:PORT`, the emulator's own origin (valid once listening). */
  baseUrl(): string;
  /**
   * Counts one call against a quota of `limit` calls per `intervalMs` (sliding window on the emulated clock).
   * Returns true when the call is within the quota.
   */
  withinQuota(key: string, limit: number, intervalMs: number): boolean;
}

/** One request being answered. */
export interface Exchange {
  /** The incoming request; its body is unread. */
  readonly request: IncomingMessage;
  /** The response to write. */
  readonly response: ServerResponse;
  /** The request URL, resolved against the emulator's origin. */
  readonly url: URL;
  /** The route name `match` returned, e.g. `AddFile` or `files.upload`. */
  readonly route: string;
  /** The core's services (clock, accounts, data folder, quotas). */
  readonly context: SurfaceContext;
  /**
   * An injected fault that lets the request through and shapes what it creates instead of the answer
   * (`safeCheckFailed` on AddFile); `undefined` otherwise.
   */
  readonly fault?: Fault;
  /** Records which account made the call (shown in `emulator.calls`). */
  setAccount(name: string): void;
  /**
   * Records why the request is refused, in words (`policy expired 12 s ago`); shown as the call's `reason`. Without
   * it, the message of the error body is used.
   */
  setReason(reason: string): void;
  /** Records an identifier of what the call touched (object key, file id, lease id); shown in the call's `subjects`. */
  addSubject(subject: string): void;
}

/**
 * An error answer the core asks a surface to write in the surface's own format: an injected fault, so that it looks
 * exactly like the service's own answer with the same code.
 */
export interface SurfaceError {
  /** HTTP status (200 for a `successFalse` fault). */
  readonly status: number;
  /** Service error code, e.g. `Throttling.RateQuota`. */
  readonly code: string;
  /** Error message. */
  readonly message: string;
  /** Extra response headers (`retry-after`...). */
  readonly headers: Readonly<Record<string, string>>;
}

/** A service the emulator hosts. */
export interface Surface {
  /** Short name: `dashscope`, `files`, `bailian`. */
  readonly name: string;
  /** The route name for a request this surface answers, or `undefined` if it is not this surface's. */
  match(method: string, url: URL): string | undefined;
  /** Answers the request. Must consume or destroy the request body. */
  handle(exchange: Exchange): Promise<void>;
  /** Inspectable state for tests (objects, files, leases...). */
  readonly state: unknown;
  /**
   * Writes an error in this surface's format for the route of `exchange` (OSS XML, the DashScope body, the OpenAI
   * envelope, the Bailian envelope), with the request id header the service sends. The request body is already read.
   * Without it the core writes a DashScope body.
   */
  sendError?(exchange: Exchange, error: SurfaceError): void;
  /** Releases timers and files. */
  close?(): Promise<void>;
}
