/** Who answers an error: the API gateway (`{RequestId, HostId, Code, Message, Recommend}`) or the data-center service (the `{RequestId, Success, Code, Message, Status}` envelope). */
export type BailianErrorSource = 'gateway' | 'service';

/** The message the service gives for every parameter it cannot accept. */
export function invalidParameterMessage(name: string): string {
  return `Required parameter(${name}) missing or invalid, please check the request parameters.`;
}

/** An error answer of the Bailian data API; handlers throw it and the surface writes it. */
export class BailianApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Service or gateway error code, e.g. `InvalidParameter`. */
  readonly code: string;
  /** Which body shape the answer uses. */
  readonly source: BailianErrorSource;
  /** Extra response headers (e.g. `x-acs-retry-after`). */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * @param status - HTTP status.
   * @param code - Error code.
   * @param message - Error message, as the client sees it.
   * @param options - Body shape (default `service`) and extra headers.
   */
  constructor(
    status: number,
    code: string,
    message: string,
    options: { source?: BailianErrorSource; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'BailianApiError';
    this.status = status;
    this.code = code;
    this.source = options.source ?? 'service';
    this.headers = options.headers ?? {};
  }

  /** A 400 `InvalidParameter` for a named parameter, in the service's wording. */
  static invalidParameter(name: string): BailianApiError {
    return new BailianApiError(400, 'InvalidParameter', invalidParameterMessage(name));
  }
}
