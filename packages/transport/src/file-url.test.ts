import { describe, expect, it } from 'vitest';
import { fileUrlToPath, parseLocalReference } from './file-url.js';

const posix = { platform: 'linux', cwd: '/work', homeDir: '/home/me' } as const;
const windows = { platform: 'win32', cwd: 'C:\\work', homeDir: 'C:\\Users\\me' } as const;

describe('fileUrlToPath', () => {
  it.each([
    // The inputs where the Python SDK goes wrong, and what they mean.
    ['file:///tmp/a%20b.png', '/tmp/a b.png'],
    ['file:///tmp/a+b.png', '/tmp/a+b.png'],
    ['file:///tmp/a#b.png', '/tmp/a#b.png'],
    ['file:///tmp/a?b.png', '/tmp/a?b.png'],
    ['file:///tmp/a%23b%3Fc.png', '/tmp/a#b?c.png'],
    ['file:///tmp/a b.png', '/tmp/a b.png'],
    ['file:///tmp/100%.png', '/tmp/100%.png'],
    ['file:///tmp/%E7%8C%AB.png', '/tmp/猫.png'],
    ['file://localhost/tmp/x.png', '/tmp/x.png'],
    ['FILE:///tmp/x.png', '/tmp/x.png'],
    ['file:/tmp/x.png', '/tmp/x.png'],
    ['file://~/x.png', '/home/me/x.png'],
    ['file://./x.png', '/work/x.png'],
    ['file://../x.png', '/x.png'],
    ['file:rel/x.png', '/work/rel/x.png'],
  ])('%s -> %s on POSIX', (url, path) => {
    expect(fileUrlToPath(url, posix)).toEqual({ kind: 'path', path, mustExist: true });
  });

  it.each([
    // Every form the DashScope SDK documents for Windows, and the ones people write.
    ['file://C:/Users/x.png', 'C:\\Users\\x.png'],
    ['file://D:/images/test.png', 'D:\\images\\test.png'],
    ['file:///C:/Users/x.png', 'C:\\Users\\x.png'],
    ['file:/C:/Users/x.png', 'C:\\Users\\x.png'],
    ['file:C:/Users/x.png', 'C:\\Users\\x.png'],
    ['file://localhost/C:/Users/x.png', 'C:\\Users\\x.png'],
    ['file://C:\\Users\\x.png', 'C:\\Users\\x.png'],
    ['file:///C:\\Users\\x.png', 'C:\\Users\\x.png'],
    ['file://C|/Users/x.png', 'C:\\Users\\x.png'],
    ['file:///c|/a%20b.png', 'c:\\a b.png'],
    ['file:///C:/%E6%96%87%E4%BB%B6/x.png', 'C:\\文件\\x.png'],
    ['file://./x.png', 'C:\\work\\x.png'],
    ['file://../x.png', 'C:\\x.png'],
    ['file://./images/test.png', 'C:\\work\\images\\test.png'],
    ['file://~/x.png', 'C:\\Users\\me\\x.png'],
  ])('%s -> %s on Windows', (url, path) => {
    expect(fileUrlToPath(url, windows)).toEqual({ kind: 'path', path, mustExist: true });
  });

  it.each([
    'file://server/share/x.png',
    'file:////server/share/x.png',
    'file://///server/share/x.png',
    'file:///\\\\server\\share\\x.png',
    'file://',
    'file:///',
    'file://C:/',
    'file:///C:',
    'file:///C:/',
  ])('refuses %s on Windows with a hint showing the right form', (url) => {
    const reference = fileUrlToPath(url, windows);
    expect(reference).toMatchObject({ kind: 'invalid' });
    expect((reference as { reason: string }).reason).toContain('file:///C:/path/to/file.png');
  });

  it.each(['file://C:/Users/x.png', 'file://server/share/x.png', 'file://', 'file:///'])(
    'refuses %s on POSIX with a hint showing the right form',
    (url) => {
      const reference = fileUrlToPath(url, posix);
      expect(reference).toMatchObject({ kind: 'invalid' });
      expect((reference as { reason: string }).reason).toContain('file:///path/to/file.png');
    },
  );

  it('refuses another host, an empty path and NUL outside Windows', () => {
    expect(fileUrlToPath('file://rel/dir/x.png', posix)).toMatchObject({ kind: 'invalid' });
    expect(fileUrlToPath('file:///', posix)).toMatchObject({ kind: 'invalid' });
    expect(fileUrlToPath('file:///tmp/a%00b', posix)).toMatchObject({ kind: 'invalid' });
  });

  it('is not for other schemes', () => {
    expect(fileUrlToPath('oss://dir/x.png', posix)).toBeUndefined();
    expect(fileUrlToPath('https://example.com/x.png', posix)).toBeUndefined();
  });
});

describe('parseLocalReference', () => {
  it.each([
    ['/tmp/x.png', { kind: 'path', path: '/tmp/x.png', mustExist: true }],
    ['./x.png', { kind: 'path', path: '/work/x.png', mustExist: true }],
    ['~/x.png', { kind: 'path', path: '/home/me/x.png', mustExist: true }],
    ['x.png', { kind: 'path', path: '/work/x.png', mustExist: false }],
    ['oss://dashscope-instant/a/x.png', undefined],
    ['https://example.com/x.png', undefined],
    ['data:image/png;base64,AAAA', undefined],
    ['', undefined],
    ['two\nlines', undefined],
  ])('%j on POSIX', (value, expected) => {
    expect(parseLocalReference(value, posix)).toEqual(expected);
  });

  it('knows Windows paths', () => {
    expect(parseLocalReference('C:\\x.png', windows)).toEqual({
      kind: 'path',
      path: 'C:\\x.png',
      mustExist: true,
    });
    expect(parseLocalReference('.\\x.png', windows)).toEqual({
      kind: 'path',
      path: 'C:\\work\\x.png',
      mustExist: true,
    });
  });
});
