/** One request the emulator answered (or dropped), as `emulator.calls` lists it. */
export interface CallRecord {
  /** Sequence number, from 1. */
  readonly id: number;
  /** HTTP method. */
  readonly method: string;
  /** Path and query as received, with secret query values (`Signature`, `security-token`...) replaced by `***`. */
  readonly path: string;
  /** Route name the surface gave (`dashscope.getPolicy`, `AddFile`...), or `''` when no surface matched. */
  readonly route: string;
  /** Response status, or 0 when the connection was dropped before a response head was sent. */
  readonly status: number;
  /** Request body bytes the emulator received. */
  readonly requestBytes: number;
  /** Response body bytes the emulator sent. */
  readonly responseBytes: number;
  /** Name of the account the request authenticated as, or `undefined` when it did not. */
  readonly account: string | undefined;
  /** The injected fault, if any (`status`, `reset`, `delay`, `stall`). */
  readonly fault: string | undefined;
  /** Emulated time the request arrived, in milliseconds since the epoch. */
  readonly startedAtMs: number;
  /** Real milliseconds from the request's arrival to the end of the response (or the dropped connection). */
  readonly durationMs: number;
  /**
   * Why the request was refused, in words (`policy expired 12 s ago`), for responses of status 400 and above: what
   * the surface said, else the message of the error body it sent. `undefined` for successful calls.
   */
  readonly reason: string | undefined;
  /**
   * Identifiers of what the call touched (an object key or upload folder, a file id, a lease id), so a console or a
   * test can find the requests behind one object.
   */
  readonly subjects: readonly string[];
}

const secretParameters = new Set([
  'signature',
  'x-oss-signature',
  'security-token',
  'x-oss-security-token',
  'securitytoken',
  'x-acs-security-token',
  'accesskeysecret',
  'api_key',
  'apikey',
]);

/**
 * A request target with the values of secret query parameters replaced by `***`; everything else is kept as sent.
 *
 * @example
 * ```ts
 * redactPath('/k?OSSAccessKeyId=id&Signature=abc%3D') // '/k?OSSAccessKeyId=id&Signature=***'
 * ```
 */
export function redactPath(target: string): string {
  const queryStart = target.indexOf('?');
  if (queryStart === -1) return target;
  const query = target
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {}
      return equals !== -1 && secretParameters.has(decoded.toLowerCase()) ? `${name}=***` : pair;
    })
    .join('&');
  return `${target.slice(0, queryStart)}?${query}`;
}
