/** What a service said about a failure, read from its error body. @internal */
export interface ServiceErrorFields {
  /** `Code`, `code`, `error.code` or `error.type` (JSON), or `<Code>` (XML). */
  serviceCode: string | undefined;
  /** `Message`, `message` or `error.message` (JSON), or `<Message>` (XML). */
  serviceMessage: string | undefined;
  /** `RequestId`, `requestId` or `request_id` (JSON), or `<RequestId>` (XML). */
  requestId: string | undefined;
}

/** Reads the service's code, message and request id from an error body in any envelope we know. @internal */
export function readServiceError(text: string): ServiceErrorFields {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return fromJson(JSON.parse(trimmed) as unknown);
    } catch {
      // Not JSON after all: fall through to the XML reader.
    }
  }
  const xml = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(trimmed)?.[1];
  return { serviceCode: xml('Code'), serviceMessage: xml('Message'), requestId: xml('RequestId') };
}

/** The request id of a JSON body (`RequestId`, `requestId`, `request_id`), if it has one. @internal */
export function bodyRequestId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  return text(record.RequestId) ?? text(record.requestId) ?? text(record.request_id);
}

function fromJson(value: unknown): ServiceErrorFields {
  if (typeof value !== 'object' || value === null) {
    return { serviceCode: undefined, serviceMessage: undefined, requestId: undefined };
  }
  const record = value as Record<string, unknown>;
  const nested =
    typeof record.error === 'object' && record.error !== null
      ? (record.error as Record<string, unknown>)
      : {};
  return {
    serviceCode: text(record.Code) ?? text(record.code) ?? text(nested.code) ?? text(nested.type),
    serviceMessage: text(record.Message) ?? text(record.message) ?? text(nested.message),
    requestId: bodyRequestId(record),
  };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
