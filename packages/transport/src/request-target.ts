import { InvalidInputError } from './invalid-input-error.js';
/** Where one request goes, in the forms dispatching, signing and messages need. @internal */
export interface RequestTarget {
  /** `https://host[:port]` as written. */
  origin: string;
  /** The `host` header value: lower case, port only when not the default. */
  host: string;
  /** Path and query exactly as sent on the wire. */
  pathAndQuery: string;
  /** The wire path without the query. */
  pathname: string;
  /** The query, decoded, for signing. */
  query: Record<string, string>;
  /** A short, secret-free name for messages: the path without the query (with the origin for absolute URLs). */
  displayPath: string;
}

const absoluteUrl = /^(https?:\/\/[^/?#]+)([^#]*)/i;

/**
 * Resolves a request path against the base URL. An absolute URL (a pre-signed one) is kept byte for byte; a
 * relative path is appended to the base URL's path, and only characters that cannot appear in a request target
 * (spaces, non-ASCII) are percent-encoded. Query parameters are appended as `querystring` encodes them, keys in
 * their exact case, `undefined` values left out.
 *
 * @internal
 */
export function requestTarget(
  baseUrl: string,
  path: string,
  query: Record<string, string | number | boolean | undefined> = {},
): RequestTarget {
  const isAbsolute = absoluteUrl.test(path);
  const match = absoluteUrl.exec(isAbsolute ? path : baseUrl);
  if (!match) {
    const value = isAbsolute ? path : baseUrl;
    throw new InvalidInputError(
      isAbsolute ? 'INVALID_REQUEST' : 'INVALID_OPTIONS',
      `${isAbsolute ? 'path' : 'baseUrl'}: not an http(s) URL: ${String(value)}`,
    );
  }
  const origin = match[1]!;
  let rest: string;
  if (isAbsolute) {
    rest = match[2] ?? '';
  } else {
    const basePath = (match[2] ?? '').split('?')[0]!.replace(/\/+$/, '');
    rest = encodeTarget(basePath + (path.startsWith('/') ? path : `/${path}`));
  }
  if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  if (pairs.length > 0) rest += (rest.includes('?') ? '&' : '?') + pairs.join('&');
  const queryStart = rest.indexOf('?');
  const pathname = queryStart === -1 ? rest : rest.slice(0, queryStart);
  return {
    origin,
    host: new URL(origin).host,
    pathAndQuery: rest,
    pathname,
    query: queryStart === -1 ? {} : decodeQuery(rest.slice(queryStart + 1)),
    displayPath: isAbsolute ? `${origin}${pathname}` : pathname,
  };
}

function encodeTarget(value: string): string {
  return value.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, (char) => encodeURIComponent(char));
}

function decodeQuery(queryString: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const pair of queryString.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decode(equals === -1 ? pair : pair.slice(0, equals));
    query[key] = equals === -1 ? '' : decode(pair.slice(equals + 1));
  }
  return query;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
