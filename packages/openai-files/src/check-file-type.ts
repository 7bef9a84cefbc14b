import { InvalidInputError } from '@x/transport';
import type { UploadPurpose } from './openai-files-options.js';

/** How one documented type is recognised by its first bytes. */
interface DocumentType {
  /** What the file should be, for messages. */
  readonly label: string;
  /** Bytes the file starts with (any of them), at `offset`. */
  readonly signatures?: readonly Uint8Array[];
  /** Where the signature sits. @default 0 */
  readonly offset?: number;
  /** A text format: UTF-8 with no NUL byte in its first bytes. */
  readonly isText?: boolean;
}

const ascii = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const zip = [ascii('PK\u0003\u0004')];
const jpeg = [new Uint8Array([0xff, 0xd8, 0xff])];

/**
 * The types `file-extract` accepts (seed 003, "用於文件剖析": TXT, DOCX, PDF, XLSX, EPUB, MOBI, MD, CSV, JSON, BMP, PNG,
 * JPG/JPEG, GIF), by extension, with the leading bytes each format starts with.
 */
const documentTypes: ReadonlyMap<string, DocumentType> = new Map([
  ['txt', { label: 'UTF-8 text', isText: true }],
  ['docx', { label: 'a DOCX document (a ZIP container)', signatures: zip }],
  ['pdf', { label: 'a PDF document (%PDF-)', signatures: [ascii('%PDF-')] }],
  ['xlsx', { label: 'an XLSX workbook (a ZIP container)', signatures: zip }],
  ['epub', { label: 'an EPUB book (a ZIP container)', signatures: zip }],
  ['mobi', { label: 'a MOBI book (BOOKMOBI at byte 60)', signatures: [ascii('BOOKMOBI')], offset: 60 }],
  ['md', { label: 'UTF-8 Markdown', isText: true }],
  ['csv', { label: 'UTF-8 CSV', isText: true }],
  ['json', { label: 'UTF-8 JSON', isText: true }],
  ['bmp', { label: 'a BMP image (BM)', signatures: [ascii('BM')] }],
  [
    'png',
    { label: 'a PNG image', signatures: [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])] },
  ],
  ['jpg', { label: 'a JPEG image', signatures: jpeg }],
  ['jpeg', { label: 'a JPEG image', signatures: jpeg }],
  ['gif', { label: 'a GIF image (GIF87a / GIF89a)', signatures: [ascii('GIF87a'), ascii('GIF89a')] }],
]);

/** Extensions `file-extract` accepts (seed 003), lower case, without the dot. */
export const fileExtractExtensions: readonly string[] = [...documentTypes.keys()];

/** How many leading bytes {@link checkFileType} looks at. @internal */
export const fileHeadBytes = 4096;

/** The lower-case extension of a file name, without the dot (`''` when there is none). @internal */
export function fileExtension(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/**
 * Checks the file name against the purpose before anything is read: a `file-extract` file needs one of the
 * documented extensions, a `batch` file is `.jsonl` (seed 003: "輸入檔案必須是jsonl檔案"; the service infers the type
 * from the extension, spec openai-files.md).
 *
 * @throws `InvalidInputError` `UNSUPPORTED_FILE_TYPE` naming the file and the accepted types.
 * @internal
 */
export function checkFileName(fileName: string, purpose: UploadPurpose): void {
  const extension = fileExtension(fileName);
  if (purpose === 'batch') {
    if (extension !== 'jsonl') {
      // Source: seed 003.
      throw new InvalidInputError(
        'UNSUPPORTED_FILE_TYPE',
        `${fileName}: a batch file must be JSONL named *.jsonl`,
      );
    }
    return;
  }
  if (!documentTypes.has(extension)) {
    // Source: seed 003.
    throw new InvalidInputError(
      'UNSUPPORTED_FILE_TYPE',
      `${fileName}: file-extract accepts ${fileExtractExtensions.map((name) => name.toUpperCase()).join(', ')}`,
    );
  }
}

/**
 * Checks a `file-extract` file's first bytes against the type its extension names: the signature of a binary
 * format, or UTF-8 text without NUL bytes for TXT, MD, CSV and JSON.
 *
 * @param head - The first {@link fileHeadBytes} bytes of the file (fewer for a smaller file).
 * @param sizeBytes - The file's whole size, to tell a short file from a short read.
 * @throws `InvalidInputError` `FILE_TYPE_MISMATCH` naming the file and what it should start with.
 * @internal
 */
export function checkFileType(fileName: string, head: Uint8Array, sizeBytes: number): void {
  const type = documentTypes.get(fileExtension(fileName));
  if (!type) return;
  const mismatch = () =>
    new InvalidInputError(
      'FILE_TYPE_MISMATCH',
      `${fileName}: the content is not ${type.label}, as its extension says; rename it or send the right file`,
    );
  if (type.isText) {
    if (head.includes(0)) throw mismatch();
    // A character may be cut at the end of the head: drop up to three trailing bytes of an incomplete sequence.
    const isWhole = head.byteLength >= sizeBytes;
    if (!isUtf8(isWhole ? head : trimPartialCharacter(head))) throw mismatch();
    return;
  }
  const offset = type.offset ?? 0;
  const matches = (type.signatures ?? []).some(
    (signature) =>
      head.byteLength >= offset + signature.byteLength &&
      signature.every((byte, index) => head[offset + index] === byte),
  );
  if (!matches) throw mismatch();
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Drops an incomplete UTF-8 sequence at the end of a prefix. */
function trimPartialCharacter(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= 3 && back <= bytes.byteLength; back += 1) {
    const byte = bytes[bytes.byteLength - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return length > back ? bytes.subarray(0, bytes.byteLength - back) : bytes;
    }
    return bytes;
  }
  return bytes;
}
