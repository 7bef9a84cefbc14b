import { describe, expect, it } from 'vitest';
import { createDocumentSniffer, fileExtension, leaseContentType } from './document-sniffer.js';

function sniff(fileName: string, ...chunks: (string | Uint8Array)[]): string | undefined {
  const sniffer = createDocumentSniffer(fileName);
  for (const chunk of chunks) sniffer.update(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return sniffer.parseError();
}

describe('createDocumentSniffer', () => {
  it('accepts documents whose first bytes match their type, across chunk boundaries', () => {
    expect(sniff('a.pdf', '%P', 'DF-1.7\n...')).toBeUndefined();
    expect(sniff('a.docx', Buffer.from([0x50, 0x4b]), Buffer.from([0x03, 0x04, 0x14]))).toBeUndefined();
    expect(sniff('notes.md', '# Title\n中文\n')).toBeUndefined();
    expect(sniff('clip.mp4', Buffer.from([0, 0, 0, 0x20]))).toBeUndefined();
  });

  it('explains why a document cannot be parsed', () => {
    expect(sniff('a.pdf', 'hello')).toBe('document parse error: a.pdf is not a valid pdf document');
    expect(sniff('a.txt', Buffer.from([0xff, 0xfe, 0x00]))).toBe(
      'document parse error: a.txt is not UTF-8 text',
    );
    expect(sniff('a.txt')).toBe('document parse error: a.txt is empty');
    expect(sniff('a.exe', 'MZ')).toBe('document parse error: file type exe is not supported');
  });

  it('tolerates a UTF-8 character cut by the end of the checked window', () => {
    const text = Buffer.from('字'.repeat(30_000));
    expect(sniff('long.txt', text)).toBeUndefined();
  });
});

describe('lease helpers', () => {
  it('reads extensions and hands out content types, empty for unknown ones', () => {
    expect(fileExtension('Report.Final.PDF')).toBe('pdf');
    expect(fileExtension('.hidden')).toBe('');
    expect(leaseContentType('a.pdf')).toBe('application/pdf');
    expect(leaseContentType('a.unknown')).toBe('');
  });
});
