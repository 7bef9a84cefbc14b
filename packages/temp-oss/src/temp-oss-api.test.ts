import { describe, expect, it } from 'vitest';
import { getPolicyResponseSchema, parseOssErrorBody } from './temp-oss-api.js';

const documented = {
  request_id: '52f4383a-c67d-9f8c-xxxxxx',
  data: {
    policy: 'eyJl...1ZSJ=',
    signature: 'eWy...=',
    upload_dir: 'dashscope-instant/xxx/2024-07-18/xxx',
    upload_host: 'https://dashscope-file-xxx.oss-cn-beijing.aliyuncs.com',
    expire_in_seconds: 300,
    max_file_size_mb: 100,
    capacity_limit_mb: 999999999,
    oss_access_key_id: 'LTA...',
    x_oss_object_acl: 'private',
    x_oss_forbid_overwrite: 'true',
  },
};

describe('getPolicyResponseSchema', () => {
  it('parses the documented response', () => {
    expect(getPolicyResponseSchema.parse(documented).data).toMatchObject({
      expire_in_seconds: 300,
      max_file_size_mb: 100,
      x_oss_forbid_overwrite: 'true',
    });
  });

  it('accepts numbers as strings, a boolean flag and unknown fields', () => {
    const parsed = getPolicyResponseSchema.parse({
      data: {
        ...documented.data,
        expire_in_seconds: '300',
        max_file_size_mb: '1024',
        capacity_limit_mb: null,
        x_oss_forbid_overwrite: true,
        new_field: 1,
      },
    });
    expect(parsed.data).toMatchObject({
      expire_in_seconds: 300,
      max_file_size_mb: 1024,
      x_oss_forbid_overwrite: 'true',
      new_field: 1,
    });
  });

  it('rejects a response without what the form needs', () => {
    const { policy: _policy, ...withoutPolicy } = documented.data;
    expect(getPolicyResponseSchema.safeParse({ data: withoutPolicy }).success).toBe(false);
    expect(
      getPolicyResponseSchema.safeParse({ data: { ...documented.data, max_file_size_mb: 'a lot' } }).success,
    ).toBe(false);
    expect(
      getPolicyResponseSchema.safeParse({ data: { ...documented.data, upload_host: 'ftp://x' } }).success,
    ).toBe(false);
  });
});

describe('parseOssErrorBody', () => {
  it('reads OSS XML errors', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>AccessDenied</Code>
  <Message>Invalid according to Policy: Policy Condition failed: [&quot;eq&quot;, &quot;$key&quot;]</Message>
  <RequestId>63F1D24</RequestId>
</Error>`;
    expect(parseOssErrorBody(xml)).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$key"]',
    });
  });

  it('reads DashScope JSON errors, as text or parsed', () => {
    const json = { request_id: 'r', code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded' };
    expect(parseOssErrorBody(JSON.stringify(json))).toEqual({ code: json.code, message: json.message });
    expect(parseOssErrorBody(json)).toEqual({ code: json.code, message: json.message });
  });

  it('never throws on anything else', () => {
    expect(parseOssErrorBody('{not json')).toEqual({ code: undefined, message: undefined });
    expect(parseOssErrorBody(undefined)).toEqual({ code: undefined, message: undefined });
  });
});
