/** The header a model call needs before DashScope reads `oss://` URLs from temporary storage. */
export const ossResolveHeaderName = 'X-DashScope-OssResourceResolve';

/**
 * The headers that let a model call use `oss://` URLs: `X-DashScope-OssResourceResolve: enable`. Without them the
 * service answers 400 `invalid_parameter_error`.
 *
 * @example
 * ```ts
 * const openai = new OpenAI({ baseURL, apiKey, defaultHeaders: ossResolveHeaders() });
 * ```
 */
export function ossResolveHeaders(): Record<string, string> {
  return { [ossResolveHeaderName]: 'enable' };
}

/** The shape of `fetch`: what {@link withOssResolve} wraps. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Wraps a `fetch` so that every call whose body mentions an `oss://` URL carries
 * `X-DashScope-OssResourceResolve: enable`; other calls pass through untouched. Use it where a client (the OpenAI
 * SDK, for one) does not add the header itself.
 *
 * @param fetchLike - The `fetch` to wrap, e.g. `globalThis.fetch`.
 * @example
 * ```ts
 * const openai = new OpenAI({ baseURL: 'https://dashscope.aliyuncs.com/compatible-mode/v1', fetch: withOssResolve(fetch) });
 * ```
 */
export function withOssResolve<F extends FetchLike>(fetchLike: F): F {
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (!(await mentionsOssUrl(input, init))) return fetchLike(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set(ossResolveHeaderName, 'enable');
    return fetchLike(input, { ...init, headers });
  };
  return wrapped as F;
}

async function mentionsOssUrl(
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<boolean> {
  const body = init?.body;
  if (body !== undefined && body !== null) return bodyMentionsOssUrl(body);
  if (input instanceof Request && input.body !== null) return (await input.clone().text()).includes('oss://');
  return false;
}

async function bodyMentionsOssUrl(body: BodyInit): Promise<boolean> {
  if (typeof body === 'string') return body.includes('oss://');
  if (body instanceof URLSearchParams) return body.toString().includes('oss%3A%2F%2F');
  if (ArrayBuffer.isView(body)) {
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes('oss://');
  }
  if (body instanceof ArrayBuffer) return Buffer.from(body).includes('oss://');
  if (body instanceof Blob) return (await body.text()).includes('oss://');
  if (body instanceof FormData) {
    for (const value of body.values()) if (typeof value === 'string' && value.includes('oss://')) return true;
    return false;
  }
  // A stream can be read only once, so it is passed on unread.
  return false;
}
