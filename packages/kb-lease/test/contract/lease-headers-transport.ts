import type { Transport } from '@x/transport';

/**
 * Wraps a transport so ApplyFileUploadLease answers carry `Param.Headers` as the string fragment seed 000's example
 * shows (`"X-bailian-extra": "…",\n"Content-Type": "…"`), whatever form the emulator sends; optionally runs `beforePut`
 * before the first PUT to a lease URL.
 */
export function leaseHeadersAsString(
  transport: Transport,
  options: { beforeFirstPut?: () => Promise<void> } = {},
): Transport & { putCount: number } {
  let hasRunHook = false;
  const wrapped = {
    putCount: 0,
    async request(request: Parameters<Transport['request']>[0]) {
      if (request.operation === 'UploadToLease') {
        wrapped.putCount += 1;
        if (!hasRunHook && options.beforeFirstPut) {
          hasRunHook = true;
          await options.beforeFirstPut();
        }
      }
      const response = await transport.request(request);
      if (request.operation === 'ApplyFileUploadLease') {
        const body = response.body as { Data?: { Param?: { Headers?: unknown } } };
        const headers = body.Data?.Param?.Headers;
        if (body.Data?.Param && headers && typeof headers === 'object') {
          body.Data.Param.Headers = Object.entries(headers as Record<string, string>)
            .map(([name, value]) => `        "${name}": "${value}"`)
            .join(',\n');
        }
      }
      return response;
    },
    close: () => transport.close(),
  };
  return wrapped as Transport & { putCount: number };
}
