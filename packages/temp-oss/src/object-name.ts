/**
 * Object names under a policy's `upload_dir`. OSS accepts almost any UTF-8 key, but the key ends up inside an
 * `oss://` URL that the model service parses, so a name is cut down to one path segment that survives URL parsing.
 */

/** Longest name kept, in UTF-8 bytes (OSS keys may be 1023 bytes; `upload_dir` takes about 80 of them). */
export const maxObjectNameBytes = 200;

/** Used when nothing usable is left of a name. */
const fallbackName = 'file';

/**
 * Characters replaced by `_`: control characters, path separators, whitespace, and what a URL parser would read as
 * something else (`?` query, `#` fragment, `%` escape, `+` space in form decoding) or a shell/Windows would refuse.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\s/\\?#%+"'<>|*:^`{}[\]]+/gu;

/**
 * Makes a file name safe as the last segment of an OSS key: Unicode NFC, no path separators, control characters,
 * whitespace or URL delimiters, no leading dots, at most 200 UTF-8 bytes with the extension
 * kept.
 *
 * @example
 * ```ts
 * sanitizeObjectName('../my cat?.png'); // 'my_cat_.png'
 * ```
 */
export function sanitizeObjectName(name: string): string {
  let safe = name.normalize('NFC').replace(unsafeCharacters, '_').replace(/_+/g, '_');
  // No hidden files, no `.`/`..` segments, no stray separators at the ends.
  safe = safe.replace(/^[._-]+/, '').replace(/[_\s]+$/, '');
  if (safe === '' || /^\.*$/.test(safe)) safe = fallbackName;
  return truncateName(safe, maxObjectNameBytes);
}

/**
 * Returns `name`, or `name` with `-1`, `-2`, ... before its extension, whichever is not in `taken`, and adds it to
 * `taken`. Two `cat.png` in one batch become `cat.png` and `cat-1.png`.
 */
export function reserveObjectName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) {
    taken.add(name);
    return name;
  }
  const { stem, extension } = splitExtension(name);
  for (let counter = 1; ; counter++) {
    const suffix = `-${counter}${extension}`;
    const candidate = truncateName(stem, maxObjectNameBytes - Buffer.byteLength(suffix)) + suffix;
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
}

/** `cat.tar.gz` -> `cat.tar` + `.gz`; a leading dot or a long "extension" is not an extension. */
function splitExtension(name: string): { stem: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || name.length - dot > 16) return { stem: name, extension: '' };
  return { stem: name.slice(0, dot), extension: name.slice(dot) };
}

/** Cuts a name to `maxBytes` UTF-8 bytes on a code point boundary, keeping the extension. */
function truncateName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const { stem, extension } = splitExtension(name);
  const stemBytes = maxBytes - Buffer.byteLength(extension);
  let kept = '';
  let keptBytes = 0;
  for (const character of stem) {
    const size = Buffer.byteLength(character);
    if (keptBytes + size > stemBytes) break;
    kept += character;
    keptBytes += size;
  }
  return (kept === '' ? fallbackName : kept) + extension;
}
