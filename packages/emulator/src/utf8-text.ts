/**
 * The one way the emulator reads text that arrives as bytes: as UTF-8, as browsers, undici, the OpenAI SDK, OSS and
 * the Alibaba Cloud SDKs send it (spec temp-oss-and-oss-signing, PostObject: "The form and the policy are UTF-8";
 * spec bailian-data-api §4: the signature is over `utf8(CanonicalRequest)`). Bytes that are not UTF-8 become
 * U+FFFD, as busboy's own UTF-8 decoding does for the multipart parsers (`multipart-parser.ts`), so a name reads
 * the same on every surface. Text is never normalized: an NFD name stays NFD, byte for byte.
 */

/** The charset every multipart parser is given, for field values and header parameters alike. @internal */
export const UTF8_CHARSET = 'utf8';

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * A header value as text. Node's HTTP parser hands each header byte over as one Latin-1 character, so a value sent
 * as UTF-8 (`报告.pdf`, `re\u0301sume\u0301`) arrives as mojibake; this reads the same bytes as UTF-8. A value with
 * no byte above 0x7F is returned as it is.
 *
 * @example
 * ```ts
 * headerText(Buffer.from('报告.pdf').toString('latin1')); // '报告.pdf'
 * ```
 * @internal
 */
export function headerText(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is for bytes above ASCII.
  return /^[\u0000-\u007f]*$/.test(value) ? value : decoder.decode(Buffer.from(value, 'latin1'));
}

/**
 * Request headers by lowercase name, every value read with {@link headerText}; repeated headers keep every value,
 * in the order received (from `rawHeaders`, so nothing is joined or dropped).
 *
 * @example
 * ```ts
 * headerTexts(request)['x-bailian-extra']?.[0];
 * ```
 * @internal
 */
export function headerTexts(request: { readonly rawHeaders: readonly string[] }): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] ?? '').toLowerCase();
    const list = values[name] ?? [];
    list.push(headerText(raw[index + 1] ?? ''));
    values[name] = list;
  }
  return values;
}
