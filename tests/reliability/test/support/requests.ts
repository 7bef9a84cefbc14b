import type { Emulator } from '@x/emulator';
import { parseLeaseHeaders } from '@x/kb-lease';
import { acs3, createTransport, formBody } from '@x/transport';

export const videoModel = 'wan2.1-t2v-turbo';

/** The `data` of a getPolicy answer. */
export interface PolicyData {
  readonly policy: string;
  readonly signature: string;
  readonly upload_dir: string;
  readonly upload_host: string;
  readonly oss_access_key_id: string;
  readonly x_oss_object_acl?: string;
  readonly x_oss_forbid_overwrite?: string;
}

export async function getPolicy(emulator: Emulator, model = videoModel): Promise<PolicyData> {
  const response = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=${model}`, {
    headers: { authorization: `Bearer ${emulator.account.apiKey}` },
  });
  if (response.status !== 200) throw new Error(`getPolicy: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { data: PolicyData }).data;
}

/** The form fields of a PostObject for `key`, in the SDKs' order (file not included). */
export function policyFields(policy: PolicyData, key: string): [string, string][] {
  const fields: [string, string | undefined][] = [
    ['OSSAccessKeyId', policy.oss_access_key_id],
    ['Signature', policy.signature],
    ['policy', policy.policy],
    ['key', key],
    ['x-oss-object-acl', policy.x_oss_object_acl],
    ['x-oss-forbid-overwrite', policy.x_oss_forbid_overwrite],
    ['success_action_status', '200'],
  ];
  return fields.filter((field): field is [string, string] => field[1] !== undefined);
}

/** A multipart body's head (fields and the file part's header) and tail, for hand-built requests. */
export function multipartFrame(
  fields: readonly [string, string][],
  fileName: string,
  boundary = '----reliability0123456789',
): { head: Buffer; tail: Buffer; contentType: string } {
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  return {
    head: Buffer.from(parts.join('')),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** A request head with an exact Content-Length. */
export function requestHead(
  method: string,
  target: string,
  host: string,
  headers: Record<string, string | number>,
): string {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Applies for a Bailian upload lease (ACS3-signed) and returns its pre-signed PUT URL and headers. */
export async function applyLease(
  emulator: Emulator,
  fileName: string,
  md5: string,
  sizeBytes: number,
): Promise<{ url: string; headers: Record<string, string>; leaseId: string }> {
  const account = emulator.account;
  const transport = createTransport({
    baseUrl: emulator.url,
    auth: acs3({ accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret }),
    retry: false,
  });
  try {
    const response = await transport.request<{
      Data: { FileUploadLeaseId: string; Param: { Url: string; Headers: Record<string, string> | string } };
    }>({
      method: 'POST',
      path: `/${account.workspaceId}/datacenter/category/${account.categoryId}`,
      headers: { 'x-acs-action': 'ApplyFileUploadLease', 'x-acs-version': '2023-12-29' },
      body: formBody({ FileName: fileName, Md5: md5, SizeInBytes: sizeBytes, CategoryType: 'UNSTRUCTURED' }),
      responseType: 'json',
    });
    const { Param, FileUploadLeaseId } = response.body.Data;
    return {
      url: Param.Url,
      // An object, or seed 000's string fragment (the emulator's default form).
      headers: Object.fromEntries(parseLeaseHeaders(Param.Headers)),
      leaseId: FileUploadLeaseId,
    };
  } finally {
    await transport.close();
  }
}
