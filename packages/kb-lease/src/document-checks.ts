import { formatSizeOverLimit, InvalidInputError } from '@x/transport';

const mebibyte = 1024 * 1024;

/**
 * The largest document per file type, in bytes (spec §9): PDF, Word, PowerPoint, text, Markdown and HTML up to
 * 100 MB; Excel and images up to 20 MB. Audio and video are documented up to 512 MB, but ApplyFileUploadLease's
 * `SizeInBytes` stops at 100 MB (spec §3.1), which is the limit kept.
 */
export const documentSizeLimits: Readonly<Record<string, number>> = {
  pdf: 100 * mebibyte,
  docx: 100 * mebibyte,
  doc: 100 * mebibyte,
  pptx: 100 * mebibyte,
  ppt: 100 * mebibyte,
  txt: 100 * mebibyte,
  md: 100 * mebibyte,
  markdown: 100 * mebibyte,
  html: 100 * mebibyte,
  htm: 100 * mebibyte,
  xlsx: 20 * mebibyte,
  xls: 20 * mebibyte,
  png: 20 * mebibyte,
  jpg: 20 * mebibyte,
  jpeg: 20 * mebibyte,
  bmp: 20 * mebibyte,
  gif: 20 * mebibyte,
  mp3: 100 * mebibyte,
  wav: 100 * mebibyte,
  m4a: 100 * mebibyte,
  aac: 100 * mebibyte,
  mp4: 100 * mebibyte,
  mov: 100 * mebibyte,
  avi: 100 * mebibyte,
  mkv: 100 * mebibyte,
};

/** The extension of a file name, lower case, without the dot; `''` when there is none. @internal */
export function fileExtension(fileName: string): string {
  const match = /\.([^./\\]+)$/.exec(fileName);
  return match ? match[1]!.toLowerCase() : '';
}

/** The name without its extension: what ListFile's `FileName` matches exactly (spec §3.5). @internal */
export function fileStem(fileName: string): string {
  const extension = fileExtension(fileName);
  return extension === '' ? fileName : fileName.slice(0, -extension.length - 1);
}

/**
 * Checks a document's name: 4 to 128 characters with an extension (spec §3.1, §9), no path separators.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_FILE_NAME` naming the value.
 */
export function checkFileName(fileName: string): void {
  const length = [...fileName].length;
  const reasons: string[] = [];
  if (length < 4 || length > 128) reasons.push(`it has ${length} characters (4 to 128 allowed)`);
  if (/[/\\]/.test(fileName)) reasons.push('it contains a path separator');
  if (fileExtension(fileName) === '' || fileStem(fileName) === '') reasons.push('it has no extension');
  if (reasons.length > 0) {
    // Source: spec §9.
    throw new InvalidInputError(
      'INVALID_FILE_NAME',
      `File name ${JSON.stringify(fileName)} is not accepted: ${reasons.join(', ')} (4-128 characters, with an extension)`,
    );
  }
}

/**
 * Checks a document's type and size against spec §9 (`limitBytes` overrides the per-type limit).
 *
 * @throws `InvalidInputError` (from `@x/transport`) `UNSUPPORTED_FILE_TYPE`, `FILE_EMPTY` or `FILE_TOO_LARGE`, naming the file.
 */
export function checkDocumentSize(fileName: string, sizeBytes: number, limitBytes?: number): void {
  const extension = fileExtension(fileName);
  const typeLimit = documentSizeLimits[extension];
  if (typeLimit === undefined && limitBytes === undefined) {
    // Source: spec §9.
    throw new InvalidInputError(
      'UNSUPPORTED_FILE_TYPE',
      `${fileName}: .${extension} is not a knowledge-base document type (accepted: ${Object.keys(documentSizeLimits).join(', ')})`,
    );
  }
  if (sizeBytes < 1) throw new InvalidInputError('FILE_EMPTY', `${fileName} is empty (at least 1 byte)`);
  const limit = limitBytes ?? typeLimit!;
  if (sizeBytes > limit) {
    // Source: spec §9.
    throw new InvalidInputError(
      'FILE_TOO_LARGE',
      `${fileName}: ${formatSizeOverLimit(sizeBytes, limit, `the knowledge base (.${extension} documents)`)}`,
    );
  }
}

const tagPattern = /^[\p{L}\p{N}_-]{1,32}$/u;

/**
 * Checks tags as seed 001 states them: each up to 32 characters of Unicode letters (Chinese included), digits, `_`
 * and `-`; at most 32 tags (the quota document) and 700 characters in all (spec §3.3).
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_TAGS` naming the tag.
 */
export function checkTags(tags: readonly string[]): void {
  if (!Array.isArray(tags)) throw new InvalidInputError('INVALID_TAGS', 'tags must be an array of strings');
  if (tags.length > 32) {
    throw new InvalidInputError('INVALID_TAGS', `${tags.length} tags given; a file may carry at most 32`);
  }
  let total = 0;
  for (const tag of tags) {
    if (typeof tag !== 'string' || !tagPattern.test(tag)) {
      // Source: seed 001.
      throw new InvalidInputError(
        'INVALID_TAGS',
        `Tag ${JSON.stringify(tag)} is not accepted: each tag is 1 to 32 Unicode letters, digits, _ or -`,
      );
    }
    total += [...tag].length;
  }
  if (total > 700) {
    throw new InvalidInputError('INVALID_TAGS', `The tags have ${total} characters in all; at most 700`);
  }
}

/** The Qwen-VL parser's settings, sent as the `ParserConfig` JSON string (spec §3.3, §10.3). */
export interface ParserConfig {
  /** The model that reads images, e.g. `qwen-vl-max`. */
  ModelName?: string;
  /** The prompt given to that model. */
  ModelPrompt?: string;
}

/**
 * Checks `ParserConfig`: an object holding only `ModelName` and `ModelPrompt`, both strings. They are never
 * top-level parameters (spec §10.3).
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_PARSER_CONFIG` naming the offending key.
 */
export function checkParserConfig(config: unknown): asserts config is ParserConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new InvalidInputError('INVALID_PARSER_CONFIG', 'parserConfig must be { ModelName?, ModelPrompt? }');
  }
  for (const [key, value] of Object.entries(config)) {
    if (key !== 'ModelName' && key !== 'ModelPrompt') {
      // Source: spec §3.3.
      throw new InvalidInputError(
        'INVALID_PARSER_CONFIG',
        `parserConfig.${key} is not a ParserConfig field; only ModelName and ModelPrompt go inside it`,
      );
    }
    if (typeof value !== 'string' || value === '') {
      throw new InvalidInputError('INVALID_PARSER_CONFIG', `parserConfig.${key} must be a non-empty string`);
    }
  }
}
