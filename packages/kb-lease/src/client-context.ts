import type { Logger, Transport } from '@x/transport';
import type { ApiCaller } from './data-center-call.js';

/** What every operation of one client shares. @internal */
export interface ClientContext {
  /** Signed calls to the workspace. */
  readonly call: ApiCaller;
  /** The transport, for the pre-signed PUT and `http(s)://` sources. */
  readonly transport: Transport;
  /** The workspace. */
  readonly workspaceId: string;
  /** Limiter keys by quota name, e.g. `addFile` -> `addFile:llm-xxx`. */
  readonly limitKey: (quota: string) => string;
  /** The logger (silent by default). */
  readonly logger: Logger;
  /** The largest document accepted, when the caller overrides spec §9. */
  readonly maxFileSizeBytes: number | undefined;
  /** File ids this client added, so a lookup after an ambiguous AddFile never claims one twice. */
  readonly claimedFileIds: Set<string>;
}
