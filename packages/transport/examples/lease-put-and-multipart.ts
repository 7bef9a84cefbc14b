import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5File } from '@x/hash';
import { createModelStudioLimiter } from '@x/ratelimit';
import { acs3, bearer, createTransport, fileBody, formBody, multipartBody, none } from '@x/transport';
import { z } from 'zod';

// MSTUDIO_ENDPOINT points every surface at one base URL (the emulator); unset, the real service is used.
const endpoint = process.env.MSTUDIO_ENDPOINT;
const workspaceId = process.env.BAILIAN_WORKSPACE_ID ?? 'llm-your-workspace';

const folder = await mkdtemp(join(tmpdir(), 'transport-example-'));
const path = join(folder, 'report.txt');
await writeFile(path, 'Quarterly report: revenue up, costs down.\n');
const { hex: md5, sizeBytes } = await md5File(path);

// Bailian data API: ACS3 signing, credentials from options, env or ~/.alibabacloud/credentials (read lazily).
const limiter = createModelStudioLimiter(); // the documented quotas, keyed "<quota>:<account>"
const bailian = createTransport({
  baseUrl: endpoint ?? 'https://bailian.cn-beijing.aliyuncs.com',
  auth: acs3(),
  userAgent: 'x-kb-lease/1.0.0',
  limiter, // optional: anything with acquire(key, { signal })
});
const lease = await bailian.request({
  method: 'POST',
  path: `/${workspaceId}/datacenter/category/default`,
  headers: { 'x-acs-action': 'ApplyFileUploadLease', 'x-acs-version': '2023-12-29' },
  body: formBody({ FileName: 'report.txt', Md5: md5, SizeInBytes: sizeBytes }),
  operation: 'ApplyFileUploadLease',
  limitKey: `applyFileUploadLease:${workspaceId}`, // a quota name of the limiter, then the account
  retryThrottled: true, // a throttled lease request did nothing: safe to send again
  schema: z.object({
    Data: z.object({
      FileUploadLeaseId: z.string(),
      // The service sends the headers as an object or as a JSON fragment string (seed 000); @x/kb-lease reads both.
      Param: z.object({ Url: z.string(), Headers: z.union([z.record(z.string(), z.string()), z.string()]) }),
    }),
  }),
});
console.log('lease', lease.body.Data.FileUploadLeaseId);

// A pre-signed URL: kept byte for byte, no auth, the file streamed from disk with progress.
const { Url: uploadUrl, Headers: rawHeaders } = lease.body.Data.Param;
const leaseHeaders: Record<string, string> =
  typeof rawHeaders === 'string' ? JSON.parse(`{${rawHeaders.trim().replace(/,$/, '')}}`) : rawHeaders;
await bailian.request({
  method: 'PUT',
  path: uploadUrl,
  auth: none(),
  headers: leaseHeaders,
  body: fileBody(path),
  responseType: 'text',
  onProgress: ({ loadedBytes, totalBytes }) => console.log(`sent ${loadedBytes} of ${totalBytes} bytes`),
  signal: AbortSignal.timeout(60_000),
});
await bailian.close();

// DashScope: Bearer from DASHSCOPE_API_KEY, multipart framed by hand (fields first, file streamed last).
const dashscope = createTransport({
  baseUrl: `${endpoint ?? 'https://dashscope.aliyuncs.com'}/compatible-mode/v1`,
  auth: bearer(),
});
const uploaded = await dashscope.request({
  method: 'POST',
  path: '/files',
  body: multipartBody([
    { name: 'purpose', value: 'file-extract' },
    { name: 'file', file: path },
  ]),
  schema: z.object({ id: z.string(), bytes: z.number() }),
});
console.log('file', uploaded.body.id, uploaded.body.bytes);
await dashscope.close();
await limiter.close();
await rm(folder, { recursive: true, force: true });
