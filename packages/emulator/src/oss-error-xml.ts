/** Escapes text for an XML text node. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Fields of an OSS XML error body beyond code and message. */
export interface OssErrorDetails {
  /** `x-oss-request-id`, repeated in the body. */
  readonly requestId: string;
  /** The bucket host, e.g. `bucket.oss-cn-beijing.aliyuncs.com`. */
  readonly hostId: string;
  /** OSS's detailed error code, e.g. `0006-00000227`. */
  readonly ec?: string;
}

/** An OSS error body, laid out as OSS writes it (`<Error><Code>...`, with `EC` and `RecommendDoc` when known). */
export function ossErrorXml(code: string, message: string, details: OssErrorDetails): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Error>',
    `  <Code>${escapeXml(code)}</Code>`,
    `  <Message>${escapeXml(message)}</Message>`,
    `  <RequestId>${escapeXml(details.requestId)}</RequestId>`,
    `  <HostId>${escapeXml(details.hostId)}</HostId>`,
  ];
  if (details.ec !== undefined) {
    lines.push(
      `  <EC>${details.ec}</EC>`,
      `  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=${details.ec}</RecommendDoc>`,
    );
  }
  lines.push('</Error>', '');
  return lines.join('\n');
}

/** An OSS-style request id: 24 uppercase hex characters. */
export function newOssRequestId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('hex').toUpperCase();
}
