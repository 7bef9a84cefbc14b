import { describe, expect, it } from 'vitest';
import { ossResolveHeaders, withOssResolve } from './oss-resolve.js';

/** A fetch that answers with the header it received, so the test sees what went out. */
function echoFetch() {
  const calls: { header: string | null; authorization: string | null; body: string | null }[] = [];
  const fetchLike = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push({
      header: request.headers.get('x-dashscope-ossresourceresolve'),
      authorization: request.headers.get('authorization'),
      body: request.body ? await request.text() : null,
    });
    return new Response('{}');
  };
  return { fetchLike, calls };
}

describe('ossResolveHeaders', () => {
  it('is the documented header', () => {
    expect(ossResolveHeaders()).toEqual({ 'X-DashScope-OssResourceResolve': 'enable' });
  });
});

describe('withOssResolve', () => {
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ image: 'oss://dir/cat.png' }] }] });

  it('adds the header when a string body mentions oss:// and keeps the other headers and the body', async () => {
    const { fetchLike, calls } = echoFetch();
    await withOssResolve(fetchLike)('http://127.0.0.1/chat', {
      method: 'POST',
      headers: { Authorization: 'Bearer k' },
      body,
    });
    expect(calls).toEqual([{ header: 'enable', authorization: 'Bearer k', body }]);
  });

  it('reads byte bodies, Blobs and Request objects', async () => {
    const { fetchLike, calls } = echoFetch();
    const wrapped = withOssResolve(fetchLike);
    await wrapped('http://127.0.0.1/chat', { method: 'POST', body: new TextEncoder().encode(body) });
    await wrapped('http://127.0.0.1/chat', { method: 'POST', body: new Blob([body]) });
    await wrapped(new Request('http://127.0.0.1/chat', { method: 'POST', body, headers: [['x-a', '1']] }));
    expect(calls.map((call) => [call.header, call.body])).toEqual([
      ['enable', body],
      ['enable', body],
      ['enable', body],
    ]);
  });

  it('leaves calls without oss:// alone', async () => {
    const { fetchLike, calls } = echoFetch();
    const wrapped = withOssResolve(fetchLike);
    await wrapped('http://127.0.0.1/chat', { method: 'POST', body: '{"image":"https://x/cat.png"}' });
    await wrapped('http://127.0.0.1/models');
    expect(calls.map((call) => call.header)).toEqual([null, null]);
  });
});
