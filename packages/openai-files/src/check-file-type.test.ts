import { describe, expect, it } from 'vitest';
import { checkFileName, checkFileType, fileExtension } from './check-file-type.js';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
const mobi = Buffer.concat([Buffer.alloc(60), Buffer.from('BOOKMOBI')]);

describe('file-extract types', () => {
  it('reads extensions in any case', () => {
    expect(fileExtension('dir.v2/Report.PDF')).toBe('pdf');
    expect(fileExtension('.hidden')).toBe('');
    expect(fileExtension('noext')).toBe('');
  });

  it('accepts every documented extension and refuses others, naming the accepted ones', () => {
    for (const name of [
      'a.txt',
      'a.docx',
      'a.pdf',
      'a.xlsx',
      'a.epub',
      'a.mobi',
      'a.md',
      'a.csv',
      'a.json',
      'a.bmp',
      'a.png',
      'a.jpg',
      'a.jpeg',
      'a.gif',
    ]) {
      expect(() => checkFileName(name, 'file-extract')).not.toThrow();
    }
    expect(() => checkFileName('a.pptx', 'file-extract')).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_FILE_TYPE',
        message:
          'a.pptx: file-extract accepts TXT, DOCX, PDF, XLSX, EPUB, MOBI, MD, CSV, JSON, BMP, PNG, JPG, JPEG, GIF',
      }),
    );
    expect(() => checkFileName('a.jsonl', 'batch')).not.toThrow();
    expect(() => checkFileName('a.json', 'batch')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FILE_TYPE' }),
    );
  });

  it('checks the first bytes against the extension', () => {
    expect(() => checkFileType('a.png', png, png.byteLength)).not.toThrow();
    expect(() => checkFileType('a.pdf', Buffer.from('%PDF-1.7\n'), 9)).not.toThrow();
    expect(() => checkFileType('a.mobi', mobi, mobi.byteLength)).not.toThrow();
    expect(() => checkFileType('a.gif', Buffer.from('GIF89a....'), 10)).not.toThrow();
    expect(() => checkFileType('a.docx', Buffer.from('PK\u0003\u0004rest'), 8)).not.toThrow();
    expect(() => checkFileType('a.pdf', png, png.byteLength)).toThrow(
      expect.objectContaining({
        code: 'FILE_TYPE_MISMATCH',
        message: expect.stringContaining('a.pdf: the content is not a PDF'),
      }),
    );
    expect(() => checkFileType('a.jpg', Buffer.from([0xff, 0xd8]), 2)).toThrow(
      expect.objectContaining({ code: 'FILE_TYPE_MISMATCH' }),
    );
  });

  it('takes text as UTF-8 without NUL bytes, even when the head cuts a character', () => {
    expect(() => checkFileType('a.txt', Buffer.from('héllo'), 6)).not.toThrow();
    const cut = Buffer.from('ab€').subarray(0, 4);
    expect(() => checkFileType('a.md', cut, 100)).not.toThrow();
    expect(() => checkFileType('a.md', cut, 4)).toThrow(
      expect.objectContaining({ code: 'FILE_TYPE_MISMATCH' }),
    );
    expect(() => checkFileType('a.csv', png, png.byteLength)).toThrow(
      expect.objectContaining({ code: 'FILE_TYPE_MISMATCH' }),
    );
    expect(() => checkFileType('a.json', Buffer.from([0x7b, 0xff, 0x7d]), 3)).toThrow(
      expect.objectContaining({ code: 'FILE_TYPE_MISMATCH' }),
    );
  });
});
