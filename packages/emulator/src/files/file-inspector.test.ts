import { describe, expect, it } from 'vitest';
import { createFileInspector, fileExtension } from './file-inspector.js';

function inspect(extension: string, content: string | Buffer, size = 1): string | undefined {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const inspector = createFileInspector(extension);
  for (let start = 0; start < bytes.length; start += size)
    inspector.write(bytes.subarray(start, start + size));
  return inspector.finish();
}

describe('createFileInspector', () => {
  it('accepts UTF-8 text whose characters straddle chunks', () => {
    expect(inspect('txt', '中文 🙂 é', 1)).toBeUndefined();
    expect(inspect('csv', 'a,b\n1,2\n', 3)).toBeUndefined();
  });

  it('refuses invalid or truncated UTF-8', () => {
    expect(inspect('md', Buffer.from([0x61, 0xff]))).toBe(
      'File parsing failed: the content is not valid UTF-8 (near byte 1)',
    );
    expect(inspect('json', Buffer.from([0x7b, 0xe4, 0xb8]))).toBe(
      'File parsing failed: the content is not valid UTF-8 (truncated character at the end)',
    );
  });

  it.each([
    ['pdf', '%PDF-1.4 ...'],
    ['docx', Buffer.from('PK\u0003\u0004', 'latin1')],
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0])],
    ['gif', 'GIF87a...'],
    ['bmp', 'BM....'],
    ['mobi', Buffer.concat([Buffer.alloc(60), Buffer.from('BOOKMOBI')])],
  ])('accepts a %s with its signature, fed byte by byte', (extension, content) => {
    expect(inspect(extension, content)).toBeUndefined();
  });

  it.each([
    ['pdf', '%PD', 'File parsing failed: the content is not a PDF document (starting with %PDF-)'],
    ['xlsx', 'not a zip', 'File parsing failed: the content is not an XLSX workbook (a ZIP container)'],
    ['mobi', 'BOOKMOBI', 'File parsing failed: the content is not a MOBI book'],
    ['txt', '', 'File parsing failed: the file is empty'],
  ])('refuses a %s without its signature', (extension, content, reason) => {
    expect(inspect(extension, content)).toBe(reason);
  });
});

describe('fileExtension', () => {
  it.each([
    ['report.PDF', 'pdf'],
    ['archive.tar.gz', 'gz'],
    ['.hidden', ''],
    ['README', ''],
    ['trailing.', ''],
  ])('%s -> %j', (name, extension) => {
    expect(fileExtension(name)).toBe(extension);
  });
});
