import { Readable } from 'node:stream';
import { request } from 'undici';
import { type FilePart, multipartBody } from './multipart.js';

/** A parsed OSS answer: status, headers, body text and, for an XML error, its code, message and EC. */
export interface OssAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  code: string | undefined;
  message: string | undefined;
  ec: string | undefined;
}

/** POSTs a multipart form (file last) to an OSS upload host with an exact Content-Length. */
export async function postForm(
  uploadHost: string,
  fields: [string, string][],
  file?: FilePart,
  options: { isChunked?: boolean } = {},
): Promise<OssAnswer> {
  const form = multipartBody(fields, file);
  const headers: Record<string, string> = { 'content-type': form.contentType };
  if (!options.isChunked) headers['content-length'] = String(form.contentLength);
  const response = await request(uploadHost, { method: 'POST', headers, body: Readable.from(form.body) });
  const text = await response.body.text();
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    code: tag('Code'),
    message: tag('Message'),
    ec: tag('EC'),
  };
}

/** The data object of a getPolicy answer. */
export interface PolicyData {
  policy: string;
  signature: string;
  upload_dir: string;
  upload_host: string;
  expire_in_seconds: number;
  max_file_size_mb: number;
  capacity_limit_mb: number;
  oss_access_key_id: string;
  x_oss_object_acl: string;
  x_oss_forbid_overwrite: string;
}

/** The form fields the documentation sends for a policy, in its order, with `key = upload_dir/name`. */
export function policyFields(data: PolicyData, name: string): [string, string][] {
  return [
    ['OSSAccessKeyId', data.oss_access_key_id],
    ['Signature', data.signature],
    ['policy', data.policy],
    ['key', `${data.upload_dir}/${name}`],
    ['x-oss-object-acl', data.x_oss_object_acl],
    ['x-oss-forbid-overwrite', data.x_oss_forbid_overwrite],
    ['success_action_status', '200'],
  ];
}
