/** How the content of one document type is recognised. */
interface DocumentKind {
  /** Bytes the file must start with (any of them), at `offset`. */
  readonly signatures?: readonly Buffer[];
  /** Where the signature sits. */
  readonly offset?: number;
  /** The content must be UTF-8 text. */
  readonly isText?: boolean;
  /** Shown in the parse error. */
  readonly label: string;
}

const zip = [Buffer.from('PK\u0003\u0004', 'latin1')];

/** Extensions `file-extract` accepts (documented: TXT, DOCX, PDF, XLSX, EPUB, MOBI, MD, CSV, JSON, BMP, PNG, JPG/JPEG, GIF). */
const documentKinds: ReadonlyMap<string, DocumentKind> = new Map([
  ['txt', { isText: true, label: 'UTF-8 text' }],
  ['md', { isText: true, label: 'UTF-8 Markdown' }],
  ['csv', { isText: true, label: 'UTF-8 CSV' }],
  ['json', { isText: true, label: 'UTF-8 JSON' }],
  ['pdf', { signatures: [Buffer.from('%PDF-')], label: 'a PDF document (starting with %PDF-)' }],
  ['docx', { signatures: zip, label: 'a DOCX document (a ZIP container)' }],
  ['xlsx', { signatures: zip, label: 'an XLSX workbook (a ZIP container)' }],
  ['epub', { signatures: zip, label: 'an EPUB book (a ZIP container)' }],
  ['mobi', { signatures: [Buffer.from('BOOKMOBI')], offset: 60, label: 'a MOBI book' }],
  ['bmp', { signatures: [Buffer.from('BM')], label: 'a BMP image' }],
  [
    'png',
    { signatures: [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], label: 'a PNG image' },
  ],
  ['jpg', { signatures: [Buffer.from([0xff, 0xd8, 0xff])], label: 'a JPEG image' }],
  ['jpeg', { signatures: [Buffer.from([0xff, 0xd8, 0xff])], label: 'a JPEG image' }],
  ['gif', { signatures: [Buffer.from('GIF87a'), Buffer.from('GIF89a')], label: 'a GIF image' }],
]);

/** File extensions (lower case, without the dot) accepted with purpose `file-extract`. */
export const fileExtractExtensions: readonly string[] = [...documentKinds.keys()];

/** The lower-case extension of a file name, without the dot (`''` when there is none). */
export function fileExtension(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot <= 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

/** Watches an upload's bytes as they stream by and tells whether the service could parse the file. */
export interface FileInspector {
  /** Feeds the next chunk. */
  write(chunk: Buffer): void;
  /** After the last chunk: why the file cannot be parsed, or `undefined` when it can. */
  finish(): string | undefined;
}

/**
 * Creates an inspector for a file of the given extension: it checks the leading signature of binary formats and that
 * text formats are valid UTF-8, holding no more than the signature's bytes.
 */
export function createFileInspector(extension: string): FileInspector {
  const kind = documentKinds.get(extension);
  const offset = kind?.offset ?? 0;
  const headLength = offset + Math.max(0, ...(kind?.signatures ?? []).map((signature) => signature.length));
  const head = Buffer.alloc(headLength);
  let headFilled = 0;
  let totalBytes = 0;
  const decoder = kind?.isText ? new TextDecoder('utf-8', { fatal: true }) : undefined;
  let textError: string | undefined;

  return {
    write(chunk) {
      if (headFilled < headLength) headFilled += chunk.copy(head, headFilled, 0, headLength - headFilled);
      if (decoder && textError === undefined) {
        try {
          decoder.decode(chunk, { stream: true });
        } catch {
          textError = `File parsing failed: the content is not valid UTF-8 (near byte ${totalBytes})`;
        }
      }
      totalBytes += chunk.length;
    },
    finish() {
      if (!kind) return `File parsing failed: unsupported file type ".${extension}"`;
      if (totalBytes === 0) return 'File parsing failed: the file is empty';
      if (decoder && textError === undefined) {
        try {
          decoder.decode();
        } catch {
          textError = 'File parsing failed: the content is not valid UTF-8 (truncated character at the end)';
        }
      }
      if (textError !== undefined) return textError;
      const signatures = kind.signatures ?? [];
      const matches = signatures.some((signature) =>
        head.subarray(offset, offset + signature.length).equals(signature),
      );
      if (signatures.length > 0 && (headFilled < headLength || !matches)) {
        return `File parsing failed: the content is not ${kind.label}`;
      }
      return undefined;
    },
  };
}
