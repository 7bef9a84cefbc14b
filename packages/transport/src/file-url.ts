import { homedir } from 'node:os';
import { isAbsolute, resolve, win32 } from 'node:path';

/** Where a `file://` URL or a path points, or why it cannot be read. */
export type LocalFileReference =
  | {
      readonly kind: 'path';
      readonly path: string;
      /** False for a bare name (`cat.png`), which is only taken as a file when one exists. */
      readonly mustExist: boolean;
    }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Options that make parsing testable across platforms. */
export interface FileUrlOptions {
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** Base of relative paths. @default process.cwd() */
  readonly cwd?: string;
  /** Expansion of `~`. @default os.homedir() */
  readonly homeDir?: string;
}

/**
 * Turns a `file://` URL into a local path, the way a person who wrote it meant it:
 *
 * - `%XX` escapes are decoded (`file:///tmp/a%20b.png` is `/tmp/a b.png`); a `%` not followed by two hex digits stays.
 * - `+` stays a plus: it is form encoding, not URL encoding (the Python SDK turns it into a space).
 * - `#` and `?` are part of the name: a local file has no fragment or query (the Python SDK cuts the name there).
 * - `file:///abs`, `file:/abs` and `file://localhost/abs` are absolute; `file://~/x` is in the home folder;
 *   `file://./x` and `file://../x` are relative to `cwd`.
 * - On Windows (`platform: 'win32'`), every drive form the DashScope SDK documents or people write is a drive path:
 *   `file://C:/x`, `file:///C:/x`, `file:/C:/x`, `file:C:/x`, `file://localhost/C:/x`, `file:///C|/x`, with `/` or `\`.
 * - A URL that names a network share (`file://server/share/x`, `file:////server/share/x`) or no file at all
 *   (`file://`, `file:///`, `file:///C:/`) is refused with a reason that shows the right form.
 *
 * Returns `undefined` when `value` is not a `file:` URL.
 *
 * @example
 * ```ts
 * fileUrlToPath('file:///tmp/a+b%20c#1.png'); // { kind: 'path', path: '/tmp/a+b c#1.png', mustExist: true }
 * ```
 */
export function fileUrlToPath(value: string, options: FileUrlOptions = {}): LocalFileReference | undefined {
  if (!/^file:/i.test(value)) return undefined;
  const platform = options.platform ?? process.platform;
  const rest = value.slice('file:'.length);
  let host = '';
  let encodedPath: string;
  if (rest.startsWith('//')) {
    const afterSlashes = rest.slice(2);
    const slash = afterSlashes.search(/[/\\]/);
    host = slash === -1 ? afterSlashes : afterSlashes.slice(0, slash);
    encodedPath = slash === -1 ? '' : afterSlashes.slice(slash);
  } else {
    encodedPath = rest;
  }
  const path = percentDecode(encodedPath);
  if (path.includes('\0')) return { kind: 'invalid', reason: 'the path contains a NUL character' };
  const decodedHost = percentDecode(host);
  const isWindows = platform === 'win32';
  const rightForm = isWindows
    ? 'write a local file as file:///C:/path/to/file.png (or file://C:/path/to/file.png)'
    : 'write a local file as file:///path/to/file.png';

  if (decodedHost === '~') return toPath(joinLocal(options.homeDir ?? homedir(), path, platform), platform);
  if (decodedHost === '.' || decodedHost === '..') {
    return toPath(joinLocal(options.cwd ?? process.cwd(), decodedHost + path, platform), platform);
  }
  // `file://C:/x`: the drive written where the host goes, as the DashScope SDK documents it for Windows.
  const driveHost = /^([A-Za-z])[:|]$/.exec(decodedHost);
  if (driveHost) {
    if (!isWindows) {
      return { kind: 'invalid', reason: `a Windows drive (${decodedHost}) names no file here; ${rightForm}` };
    }
    return drivePath(driveHost[1]!, path, rightForm);
  }
  if (decodedHost !== '' && decodedHost.toLowerCase() !== 'localhost') {
    return {
      kind: 'invalid',
      reason: `it names a file on another host or a network share (${decodedHost}), which is not read from here; ${rightForm}`,
    };
  }
  if (path === '' || path === '/' || path === '\\')
    return { kind: 'invalid', reason: `the URL names no file; ${rightForm}` };
  if (isWindows) {
    if (/^[/\\]{2,}[^/\\]/.test(path)) {
      return {
        kind: 'invalid',
        reason: `it names a network share (${path.replaceAll('/', '\\')}); ${rightForm}`,
      };
    }
    const drive = /^[/\\]?([A-Za-z])(?::|\|)([/\\].*)?$/.exec(path);
    if (drive) return drivePath(drive[1]!, drive[2] ?? '', rightForm);
    if (!path.startsWith('/') && !path.startsWith('\\')) {
      return toPath(joinLocal(options.cwd ?? process.cwd(), path, platform), platform);
    }
    return toPath(path.replaceAll('/', '\\'), platform);
  }
  if (!path.startsWith('/')) return toPath(resolve(options.cwd ?? process.cwd(), path), platform);
  return toPath(path, platform);
}

/** `C:` and the rest of a Windows path; a drive's root alone names no file. */
function drivePath(letter: string, rest: string, rightForm: string): LocalFileReference {
  const tail = rest.replaceAll('/', '\\');
  if (tail === '' || /^\\+$/.test(tail)) {
    return { kind: 'invalid', reason: `the URL names a drive (${letter}:), not a file; ${rightForm}` };
  }
  return toPath(`${letter}:${tail.startsWith('\\') ? tail : `\\${tail}`}`, 'win32');
}

/**
 * Reads a media field's value as a local file, if it is one: a `file:` URL (see {@link fileUrlToPath}), an absolute
 * path (`/x`, `C:\x`), a relative one (`./x`, `../x`), one in the home folder (`~/x`), or a bare name (`cat.png`,
 * taken only when such a file exists). URLs of any other scheme (`oss:`, `https:`, `data:`) are not local.
 */
export function parseLocalReference(
  value: string,
  options: FileUrlOptions = {},
): LocalFileReference | undefined {
  const fileUrl = fileUrlToPath(value, options);
  if (fileUrl) return fileUrl;
  const platform = options.platform ?? process.platform;
  if (value === '' || value.length > 4096 || value.includes('\0') || /[\r\n]/.test(value)) return undefined;
  if (value === '~' || value.startsWith('~/') || (platform === 'win32' && value.startsWith('~\\'))) {
    return toPath(joinLocal(options.homeDir ?? homedir(), value.slice(1), platform), platform);
  }
  if (/^\.{1,2}[/\\]/.test(value))
    return toPath(joinLocal(options.cwd ?? process.cwd(), value, platform), platform);
  if (
    platform === 'win32' ? win32.isAbsolute(value) && /^([A-Za-z]:)?[/\\]/.test(value) : isAbsolute(value)
  ) {
    return toPath(value, platform);
  }
  // Anything with a scheme is a URL; a Windows drive letter (`C:`) was handled above.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return undefined;
  return {
    kind: 'path',
    path: resolveLocal(options.cwd ?? process.cwd(), value, platform),
    mustExist: false,
  };
}

function toPath(path: string, platform: NodeJS.Platform): LocalFileReference {
  return { kind: 'path', path: platform === 'win32' ? win32.normalize(path) : path, mustExist: true };
}

function resolveLocal(base: string, path: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? win32.resolve(base, path) : resolve(base, path);
}

function joinLocal(base: string, path: string, platform: NodeJS.Platform): string {
  return platform === 'win32'
    ? win32.resolve(base, path.replace(/^[/\\]+/, ''))
    : resolve(base, path.replace(/^[/\\]+/, ''));
}

/** Decodes valid `%XX` sequences (as UTF-8) and leaves everything else, including `+`, as written. */
function percentDecode(value: string): string {
  return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });
}
