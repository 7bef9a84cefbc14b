/** Leading bytes each binary document type starts with. */
const SIGNATURES: Readonly<Record<string, readonly number[]>> = {
  pdf: [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  docx: [0x50, 0x4b, 0x03, 0x04], // zip
  pptx: [0x50, 0x4b, 0x03, 0x04],
  xlsx: [0x50, 0x4b, 0x03, 0x04],
  doc: [0xd0, 0xcf, 0x11, 0xe0], // OLE2
  ppt: [0xd0, 0xcf, 0x11, 0xe0],
  xls: [0xd0, 0xcf, 0x11, 0xe0],
  png: [0x89, 0x50, 0x4e, 0x47],
  jpg: [0xff, 0xd8, 0xff],
  jpeg: [0xff, 0xd8, 0xff],
  gif: [0x47, 0x49, 0x46, 0x38],
  bmp: [0x42, 0x4d],
};

/** Text types: the first bytes must be valid UTF-8. */
const TEXT_TYPES = new Set(['txt', 'md', 'html', 'htm', 'csv', 'json', 'jsonl']);

/** Audio and video the parser accepts without looking inside. */
const MEDIA_TYPES = new Set(['mp3', 'wav', 'm4a', 'aac', 'mp4', 'mov', 'avi', 'mkv', 'flv', 'wmv']);

/** How many leading bytes of a text document are checked. */
const TEXT_CHECK_BYTES = 64 * 1024;

/** `Content-Type` values ApplyFileUploadLease hands out, by extension (unknown extensions get `""`). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
};

/** The lower-case extension of a file name, without the dot (`""` when there is none). */
export function fileExtension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

/** The `Content-Type` a lease declares for a file name: a known type, or `""` as the service allows. */
export function leaseContentType(fileName: string): string {
  return CONTENT_TYPES[fileExtension(fileName)] ?? '';
}

/** Looks at a document's bytes as they stream past and decides whether the parser could read it. */
export interface DocumentSniffer {
  /** Feeds the next chunk. */
  update(chunk: Uint8Array): void;
  /** After the last chunk: why parsing will fail, or `undefined` when it will succeed. */
  parseError(): string | undefined;
}

/**
 * Creates a sniffer for a file of the given name. It keeps only the first bytes, never the whole body.
 *
 * @example
 * ```ts
 * const sniffer = createDocumentSniffer('a.pdf');
 * sniffer.update(Buffer.from('hello'));
 * sniffer.parseError(); // 'document parse error: a.pdf is not a PDF document (no %PDF- header)'
 * ```
 */
export function createDocumentSniffer(fileName: string): DocumentSniffer {
  const type = fileExtension(fileName);
  const signature = SIGNATURES[type];
  const isText = TEXT_TYPES.has(type);
  const wantedBytes = signature ? signature.length : isText ? TEXT_CHECK_BYTES : 0;
  const head = Buffer.alloc(wantedBytes);
  let headBytes = 0;
  let totalBytes = 0;

  return {
    update(chunk) {
      totalBytes += chunk.byteLength;
      if (headBytes < wantedBytes) {
        const take = Math.min(wantedBytes - headBytes, chunk.byteLength);
        head.set(chunk.subarray(0, take), headBytes);
        headBytes += take;
      }
    },
    parseError() {
      if (totalBytes === 0) return `document parse error: ${fileName} is empty`;
      if (signature) {
        const matches =
          headBytes === signature.length && signature.every((byte, index) => head[index] === byte);
        return matches ? undefined : `document parse error: ${fileName} is not a valid ${type} document`;
      }
      if (isText) {
        try {
          // `stream: true` tolerates a character cut at the end of the checked window.
          new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, headBytes), { stream: true });
          return undefined;
        } catch {
          return `document parse error: ${fileName} is not UTF-8 text`;
        }
      }
      if (MEDIA_TYPES.has(type)) return undefined;
      return `document parse error: file type ${type === '' ? '(none)' : type} is not supported`;
    },
  };
}
