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
 * Resolves a request path against the base URL.
 *
 * An absolute URL (a pre-signed one) is kept byte for byte. A relative path is appended to the base URL's path, and
 * only characters that cannot appear in a request target (spaces, non-ASCII) are percent-encoded.
 *
 * A query has one meaning wherever it is written: a query in a relative `path` (`/files?FileName=a+b`) is read the
 * way servers decode a query (`application/x-www-form-urlencoded`: `+` is a space, `%2B` a plus) into the same map
 * as the `query` option, and the whole query is then written in one form (`encodeURIComponent`, as the official SDKs
 * send it: a space is `%20`, a plus `%2B`, never a bare `+`). What is signed (the decoded map, encoded by the ACS3
 * rules) is therefore exactly what the server decodes. A key given both ways, or twice in the
 * path, is refused. For an absolute URL the query is decoded the same way for signing, and sent as written.
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
  const entries: [string, string][] = [];
  if (isAbsolute) {
    rest = match[2] ?? '';
  } else {
    const basePath = (match[2] ?? '').split('?')[0]!.replace(/\/+$/, '');
    const queryStart = path.indexOf('?');
    const pathOnly = queryStart === -1 ? path : path.slice(0, queryStart);
    rest = encodeTarget(basePath + (pathOnly.startsWith('/') ? pathOnly : `/${pathOnly}`));
    if (queryStart !== -1) {
      for (const [key, value] of new URLSearchParams(path.slice(queryStart + 1))) {
        if (entries.some(([seen]) => seen === key))
          throw queryError(`"${key}" appears twice in the path's query`);
        entries.push([key, value]);
      }
    }
  }
  if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (entries.some(([seen]) => seen === key)) {
      throw queryError(`"${key}" is given both in the path's query and in the query option`);
    }
    entries.push([key, String(value)]);
  }
  if (entries.length > 0) {
    rest +=
      (rest.includes('?') ? '&' : '?') +
      entries.map(([key, value]) => `${canonicalEncode(key)}=${canonicalEncode(value)}`).join('&');
  }
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

/**
 * The wire form the official SDKs send: `encodeURIComponent` (UTF-8; a space is `%20`, a plus `%2B`; `! ' ( ) *`
 * stay bare, which every decoder reads the same way). Only `+` and `%` mean something else to a form decoder, and
 * neither is ever bare here.
 */
function canonicalEncode(value: string): string {
  return encodeURIComponent(value);
}

function queryError(reason: string): InvalidInputError {
  return new InvalidInputError('INVALID_QUERY', `A query parameter ${reason}; give each once`);
}

function encodeTarget(value: string): string {
  return value.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, (char) => encodeURIComponent(char));
}

/** The query as a server decodes it (form encoding: `+` is a space), for signing. */
function decodeQuery(queryString: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(queryString)) query[key] = value;
  return query;
}
