import { readFileSync } from 'node:fs';
import { hmacSha1, md5Hex } from '@x/hash';
import OSS from 'ali-oss';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type EmulatorAccount } from '../src/index.js';
import { type PolicyData, policyFields, postForm } from './support/oss.js';

const vector = JSON.parse(
  readFileSync(new URL('./fixtures/oss-post-object-v1.json', import.meta.url), 'utf8'),
) as {
  accessKeyId: string;
  accessKeySecret: string;
  bucket: string;
  policyJson: string;
  policyBase64: string;
  signature: string;
  form: Record<string, string>;
};

const startMs = Date.parse('2026-03-01T08:00:00.000Z');
const otherAccount: EmulatorAccount = {
  name: 'other',
  apiKey: 'sk-emulator-other-1111111111111111',
  accessKeyId: 'EMULATOR-AK-OTHER-1',
  accessKeySecret: 'emulator-other-secret-not-a-real-one',
  workspaceId: 'llm-emulator-other',
  categoryId: 'cate_emulator_other',
};

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({
    clock: { startMs, isFrozen: true },
    accounts: [otherAccount],
    dashscope: { modelSizeLimits: [{ model: 'tiny-vl', maxFileSizeMb: 1 }] },
  });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

async function getPolicy(model: string, apiKey = emulator.account.apiKey) {
  const response = await fetch(
    `${emulator.url}/api/v1/uploads?action=getPolicy&model=${encodeURIComponent(model)}`,
    {
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function policyFor(model: string, apiKey?: string): Promise<PolicyData> {
  const { status, body } = await getPolicy(model, apiKey);
  expect(status).toBe(200);
  return body.data as PolicyData;
}

function decodePolicy(policy: string) {
  return JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };
}

const small = (filename = 'cat.png') => ({
  filename,
  contentType: 'image/png',
  content: Buffer.from('fake png bytes'),
});

describe('getPolicy', () => {
  it('returns the documented data object with a real V1 POST policy', async () => {
    const { status, body } = await getPolicy('qwen-vl-plus');
    expect(status).toBe(200);
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const data = body.data as PolicyData;
    expect(data).toMatchObject({
      upload_host: `${emulator.url}/oss/dashscope-file-emulator`,
      expire_in_seconds: 300,
      max_file_size_mb: 100,
      capacity_limit_mb: 999999999,
      oss_access_key_id: 'EMULATOR-AK-TEMP-STORAGE',
      x_oss_object_acl: 'private',
      x_oss_forbid_overwrite: 'true',
    });
    expect(data.upload_dir).toMatch(/^dashscope-instant\/[0-9a-f]{32}\/2026-03-01\/[0-9a-f-]{36}$/);
    expect(decodePolicy(data.policy)).toEqual({
      expiration: '2026-03-01T08:05:00.000Z',
      conditions: [
        { bucket: 'dashscope-file-emulator' },
        ['content-length-range', 0, 100 * 1024 * 1024],
        ['starts-with', '$key', `${data.upload_dir}/`],
        { 'x-oss-object-acl': 'private' },
        { 'x-oss-forbid-overwrite': 'true' },
      ],
    });
    const { Signature } = new OSS({
      accessKeyId: data.oss_access_key_id,
      accessKeySecret: 'emulator-temp-storage-secret-not-a-real-one',
    }).calculatePostSignature(Buffer.from(data.policy, 'base64').toString('utf8'));
    expect(data.signature).toBe(Signature);
  });

  it('sizes the policy from the per-model table', async () => {
    const sizes = await Promise.all(
      [
        'qwen-vl-max',
        'qwen2.5-vl-72b-instruct',
        'qwen-audio-turbo',
        'paraformer-v2',
        'wan2.1-i2v-plus',
        'tiny-vl',
        'x',
      ].map(async (model) => (await policyFor(model)).max_file_size_mb),
    );
    expect(sizes).toEqual([100, 100, 500, 500, 1024, 1, 100]);
  });

  it('rejects a missing or unknown API key with 401 InvalidApiKey', async () => {
    const missing = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'InvalidApiKey', message: 'No API-key provided.' });
    const unknown = await getPolicy('qwen-vl-plus', 'sk-not-a-key');
    expect(unknown).toMatchObject({
      status: 401,
      body: { code: 'InvalidApiKey', message: 'Invalid API-key provided.' },
    });
    expect(emulator.calls.map((call) => [call.route, call.status, call.account])).toEqual([
      ['dashscope.getPolicy', 401, undefined],
      ['dashscope.getPolicy', 401, undefined],
    ]);
  });

  it('rejects a wrong action or a missing model with 400 InvalidParameter', async () => {
    const headers = { authorization: `Bearer ${emulator.account.apiKey}` };
    const action = await fetch(`${emulator.url}/api/v1/uploads?action=list&model=qwen-vl-plus`, { headers });
    expect(action.status).toBe(400);
    expect(await action.json()).toMatchObject({
      code: 'InvalidParameter',
      message: 'Unsupported action: list. Use action=getPolicy.',
    });
    const model = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy`, { headers });
    expect(model.status).toBe(400);
    expect(await model.json()).toMatchObject({
      code: 'InvalidParameter',
      message: 'Required parameter model is missing.',
    });
  });

  it('allows 100 calls per second per account and model, then 429 Throttling.RateQuota', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 101; index += 1) statuses.push((await getPolicy('qwen-vl-plus')).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(await getPolicy('qwen-vl-plus')).toMatchObject({
      status: 429,
      body: {
        code: 'Throttling.RateQuota',
        message: 'Requests rate limit exceeded, please try again later.',
      },
    });
    expect((await getPolicy('qwen-vl-max')).status).toBe(200);
    expect((await getPolicy('qwen-vl-plus', otherAccount.apiKey)).status).toBe(200);
    emulator.clock.advance(1000);
    expect((await getPolicy('qwen-vl-plus')).status).toBe(200);
  });
});

describe('OSS PostObject', () => {
  it('accepts the form the documentation sends and answers 200 with an ETag', async () => {
    const data = await policyFor('qwen-vl-plus');
    const answer = await postForm(data.upload_host, policyFields(data, 'a b.png'), small('a b.png'));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(answer.headers.etag).toBe(`"${md5Hex('fake png bytes').toUpperCase()}"`);
    expect(answer.headers.server).toBe('AliyunOSS');
    expect(answer.headers['x-oss-request-id']).toMatch(/^[0-9A-F]{24}$/);
    const state = emulator.state.dashscope;
    expect(state.objects).toContainEqual(
      expect.objectContaining({ key: `${data.upload_dir}/a b.png`, sizeBytes: 14, model: 'qwen-vl-plus' }),
    );
    expect(emulator.calls.at(-1)).toMatchObject({ route: 'oss.postObject', status: 200, account: 'default' });
  });

  it('accepts the form the Python SDK sends: x-oss-content-type, a raw space in the key, no part Content-Type', async () => {
    const data = await policyFor('qwen-vl-plus');
    const fields: [string, string][] = [
      ...policyFields(data, 'a b.pdf'),
      ['x-oss-content-type', 'application/pdf'],
    ];
    const answer = await postForm(data.upload_host, fields, {
      filename: 'a b.pdf',
      content: Buffer.from('%PDF'),
    });
    expect(answer.status).toBe(200);
    expect(emulator.state.dashscope.objects).toContainEqual(
      expect.objectContaining({
        key: `${data.upload_dir}/a b.pdf`,
        contentType: 'application/pdf',
        sizeBytes: 4,
      }),
    );
  });

  it.each([
    ['CJK', '报告 年度.png'],
    ['accented (NFC)', 'résumé café.png'],
    ['decomposed (NFD)', 're\u0301sume\u0301.png'],
  ])('reads the file part name as UTF-8, as every multipart surface does: %s', async (_kind, name) => {
    const data = await policyFor('qwen-vl-plus');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: OSS's own `${filename}` key variable, not a template.
    const answer = await postForm(data.upload_host, policyFields(data, '${filename}'), small(name));
    expect(answer.status).toBe(200);
    expect(emulator.state.dashscope.objects).toContainEqual(
      expect.objectContaining({ key: `${data.upload_dir}/${name}` }),
    );
  });

  it('answers success_action_status 201 with a PostResponse and 204 without it', async () => {
    const data = await policyFor('qwen-vl-plus');
    const fields = policyFields(data, 'one.png').filter(([name]) => name !== 'success_action_status');
    const created = await postForm(data.upload_host, [...fields, ['success_action_status', '201']], small());
    expect(created.status).toBe(201);
    expect(created.text).toContain(`<Key>${data.upload_dir}/one.png</Key>`);
    expect(created.text).toMatch(/<ETag>"[0-9A-F]{32}"<\/ETag>/);
    const noStatus = policyFields(data, 'two.png').filter(([name]) => name !== 'success_action_status');
    expect((await postForm(data.upload_host, noStatus, small())).status).toBe(204);
  });

  it('accepts a form signed by ali-oss calculatePostSignature (spec vector 2) and rejects a tampered policy', async () => {
    const oss = await createEmulator({
      clock: { startMs: Date.parse('2023-11-14T22:00:00.000Z'), isFrozen: true },
      dashscope: {
        bucket: vector.bucket,
        ossAccessKeyId: vector.accessKeyId,
        ossAccessKeySecret: vector.accessKeySecret,
      },
    });
    try {
      const signed = new OSS({
        accessKeyId: vector.accessKeyId,
        accessKeySecret: vector.accessKeySecret,
        bucket: vector.bucket,
        region: 'oss-cn-beijing',
      }).calculatePostSignature(JSON.parse(vector.policyJson) as object);
      expect(signed).toEqual({
        OSSAccessKeyId: 'testid',
        Signature: vector.signature,
        policy: vector.policyBase64,
      });
      const host = `${oss.url}/oss/${vector.bucket}`;
      const form = (policy: string): [string, string][] => [
        ['OSSAccessKeyId', signed.OSSAccessKeyId],
        ['policy', policy],
        ['Signature', signed.Signature],
        ...Object.entries(vector.form),
      ];
      const file = { filename: 'a b.pdf', content: Buffer.from('%PDF-1.4 fake') };
      expect((await postForm(host, form(signed.policy), file)).status).toBe(200);

      const pretty = Buffer.from(JSON.stringify(JSON.parse(vector.policyJson), null, 2)).toString('base64');
      const tampered = await postForm(host, form(pretty), { ...file, filename: 'b.pdf' });
      expect(tampered).toMatchObject({
        status: 403,
        code: 'SignatureDoesNotMatch',
        message:
          'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        ec: '0002-00000705',
      });
      expect(tampered.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error>\n {2}<Code>/);
      expect(tampered.headers['content-type']).toBe('application/xml');

      oss.clock.set(Date.parse('2023-11-14T22:13:21.000Z'));
      expect(await postForm(host, form(signed.policy), { ...file, filename: 'c.pdf' })).toMatchObject({
        status: 403,
        code: 'AccessDenied',
        message: 'Invalid according to Policy: Policy expired.',
      });
    } finally {
      await oss.close();
    }
  });

  describe('rejections, in OSS order', () => {
    let data: PolicyData;
    beforeEach(async () => {
      data = await policyFor('qwen-vl-plus');
    });
    const without = (fields: [string, string][], name: string) => fields.filter(([field]) => field !== name);
    const replace = (fields: [string, string][], name: string, value: string): [string, string][] =>
      fields.map(([field, old]) => [field, field === name ? value : old]);

    it('404 NoSuchBucket for another bucket', async () => {
      expect(
        await postForm(`${emulator.url}/oss/other-bucket`, policyFields(data, 'x.png'), small()),
      ).toMatchObject({
        status: 404,
        code: 'NoSuchBucket',
        message: 'The specified bucket does not exist.',
      });
    });

    it('400 MalformedPOSTRequest for a body that is not multipart/form-data', async () => {
      const response = await request(data.upload_host, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.statusCode).toBe(400);
      expect(await response.body.text()).toContain('<Code>MalformedPOSTRequest</Code>');
      const broken = await request(data.upload_host, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        body: '--xyz\r\nContent-Disposition: form-data; name="key"\r\n\r\nvalue-without-end',
      });
      expect(broken.statusCode).toBe(400);
      expect(await broken.body.text()).toContain(
        '<Message>The body of your POST request is not well-formed multipart/form-data.</Message>',
      );
    });

    it('403 AccessDenied for an anonymous form on the private bucket', async () => {
      const fields = policyFields(data, 'x.png').filter(
        ([name]) => !['OSSAccessKeyId', 'Signature', 'policy'].includes(name),
      );
      expect(await postForm(data.upload_host, fields, small())).toMatchObject({
        status: 403,
        code: 'AccessDenied',
        message: 'You have no right to access this object because of bucket acl.',
      });
    });

    it('400 InvalidArgument when one of the auth fields is missing or blank', async () => {
      const fields = policyFields(data, 'x.png');
      expect(await postForm(data.upload_host, without(fields, 'policy'), small())).toMatchObject({
        status: 400,
        code: 'InvalidArgument',
        message:
          "Bucket POST must contain a field named 'policy'. If it is specified, please check the order of the fields.",
        ec: '0002-00000702',
      });
      expect(await postForm(data.upload_host, without(fields, 'Signature'), small())).toMatchObject({
        status: 400,
        code: 'InvalidArgument',
        message:
          "Bucket POST must contain a field named 'Signature'. If it is specified, please check the order of the fields.",
        ec: '0002-00000703',
      });
      expect(await postForm(data.upload_host, replace(fields, 'Signature', ''), small())).toMatchObject({
        status: 400,
        code: 'InvalidArgument',
        message: 'The Signature field must not be empty.',
        ec: '0002-00000704',
      });
      expect(await postForm(data.upload_host, without(fields, 'OSSAccessKeyId'), small())).toMatchObject({
        status: 400,
        code: 'InvalidArgument',
        message:
          "Bucket POST must contain a field named 'OSSAccessKeyId'. If it is specified, please check the order of the fields.",
      });
    });

    it('reads field names case-insensitively, first occurrence winning', async () => {
      const fields = policyFields(data, 'case.png').map(([name, value]): [string, string] => [
        name.toLowerCase(),
        value,
      ]);
      const answer = await postForm(data.upload_host, [...fields, ['Signature', 'AAAA']], small());
      expect(answer.status).toBe(200);
    });

    it('403 InvalidAccessKeyId for an unknown access key, before the signature', async () => {
      const fields = replace(
        replace(policyFields(data, 'x.png'), 'OSSAccessKeyId', 'EMULATOR-AK-UNKNOWN'),
        'Signature',
        'bad',
      );
      expect(await postForm(data.upload_host, fields, small())).toMatchObject({
        status: 403,
        code: 'InvalidAccessKeyId',
        message: 'The OSS Access Key Id you provided does not exist in our records.',
      });
    });

    it('403 SignatureDoesNotMatch for a wrong signature, before the policy is read', async () => {
      const fields = replace(
        replace(policyFields(data, 'x.png'), 'Signature', 'bad='),
        'policy',
        'not base64 json',
      );
      expect(await postForm(data.upload_host, fields, small())).toMatchObject({
        status: 403,
        code: 'SignatureDoesNotMatch',
      });
    });

    it('400 InvalidPolicyDocument for a signed policy that is not a valid document', async () => {
      const forge = await createEmulator({ dashscope: { ossAccessKeySecret: 'known-secret' } });
      try {
        const host = `${forge.url}/oss/dashscope-file-emulator`;
        const attempt = (policyText: string) => {
          const policy = Buffer.from(policyText).toString('base64');
          return postForm(
            host,
            [
              ['OSSAccessKeyId', 'EMULATOR-AK-TEMP-STORAGE'],
              ['policy', policy],
              ['Signature', hmacSha1('known-secret', policy).toString('base64')],
              ['key', 'k'],
            ],
            small(),
          );
        };
        expect(await attempt('{not json')).toMatchObject({
          status: 400,
          code: 'InvalidPolicyDocument',
          message: 'Invalid Policy: Invalid JSON.',
        });
        expect(await attempt('{"conditions":[{"key":"k"}]}')).toMatchObject({
          code: 'InvalidPolicyDocument',
          message: 'Invalid Policy: Policy missing expiration.',
          ec: '0006-00000207',
        });
        expect(await attempt('{"expiration":"2099-01-01T00:00:00.000Z"}')).toMatchObject({
          message: 'Invalid Policy: Policy missing conditions.',
          ec: '0006-00000209',
        });
        expect(
          await attempt('{"expiration":"2099-01-01T00:00:00.000Z","conditions":[{"key":"k","acl":"x"}]}'),
        ).toMatchObject({
          message:
            'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
        });
        expect(
          await attempt('{"expiration":"2099-01-01T00:00:00.000Z","conditions":[["ends-with","$key","k"]]}'),
        ).toMatchObject({
          message: 'Invalid Policy: Invalid Condition: unknown operator in ["ends-with", "$key", "k"]',
          ec: '0006-00000217',
        });
        expect(
          await attempt(
            '{"expiration":"2099-01-01T00:00:00.000Z","conditions":[["content-length-range",10,1]]}',
          ),
        ).toMatchObject({ ec: '0006-00000221' });
        expect(
          await attempt('{"expiration":"2099-01-01T00:00:00.000Z","conditions":[{"key":"k"}]}'),
        ).toMatchObject({
          status: 204,
        });
      } finally {
        await forge.close();
      }
    });

    it('403 AccessDenied "Policy expired" once expire_in_seconds have passed', async () => {
      emulator.clock.advance(300_001);
      expect(await postForm(data.upload_host, policyFields(data, 'x.png'), small())).toMatchObject({
        status: 403,
        code: 'AccessDenied',
        message: 'Invalid according to Policy: Policy expired.',
      });
    });

    it('400 InvalidArgument without a key', async () => {
      expect(
        await postForm(data.upload_host, without(policyFields(data, 'x.png'), 'key'), small()),
      ).toMatchObject({
        status: 400,
        code: 'InvalidArgument',
        message:
          "Bucket POST must contain a field named 'key'. If it is specified, please check the order of the fields.",
      });
    });

    it('403 AccessDenied quoting the first failed condition', async () => {
      const outside = replace(policyFields(data, 'x.png'), 'key', 'elsewhere/x.png');
      expect(await postForm(data.upload_host, outside, small())).toMatchObject({
        status: 403,
        code: 'AccessDenied',
        message: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "${data.upload_dir}/"]`,
        ec: '0006-00000227',
      });
      // A sibling folder that starts with the same characters is outside the upload directory.
      const sibling = replace(policyFields(data, 'x.png'), 'key', `${data.upload_dir}x/x.png`);
      expect(await postForm(data.upload_host, sibling, small())).toMatchObject({
        status: 403,
        code: 'AccessDenied',
      });
      const acl = replace(policyFields(data, 'x.png'), 'x-oss-object-acl', 'public-read');
      expect(await postForm(data.upload_host, acl, small())).toMatchObject({
        message:
          'Invalid according to Policy: Policy Condition failed: ["eq", "$x-oss-object-acl", "private"]',
      });
      const noOverwrite = without(policyFields(data, 'x.png'), 'x-oss-forbid-overwrite');
      expect(await postForm(data.upload_host, noOverwrite, small())).toMatchObject({
        message:
          'Invalid according to Policy: Policy Condition failed: ["eq", "$x-oss-forbid-overwrite", "true"]',
      });
    });

    it('400 EntityTooLarge above the model limit, nothing stored', async () => {
      const tiny = await policyFor('tiny-vl');
      const answer = await postForm(tiny.upload_host, policyFields(tiny, 'big.png'), {
        filename: 'big.png',
        sizeBytes: 1024 * 1024 + 1,
      });
      expect(answer).toMatchObject({
        status: 400,
        code: 'EntityTooLarge',
        message: 'Your proposed upload exceeds the maximum allowed size.',
        ec: '0006-00000003',
      });
      const exact = await postForm(tiny.upload_host, policyFields(tiny, 'exact.png'), {
        filename: 'exact.png',
        sizeBytes: 1024 * 1024,
      });
      expect(exact.status).toBe(200);
      const keys = emulator.state.dashscope.objects.map((object) => object.key);
      expect(keys).toContain(`${tiny.upload_dir}/exact.png`);
      expect(keys).not.toContain(`${tiny.upload_dir}/big.png`);
    });

    it('400 EntityTooSmall below the policy minimum', async () => {
      const oss = await createEmulator({
        clock: { startMs: Date.parse('2023-11-14T22:00:00.000Z'), isFrozen: true },
        dashscope: { bucket: 'bkt', ossAccessKeyId: 'testid', ossAccessKeySecret: 'testsecret' },
      });
      try {
        const fields: [string, string][] = [
          ['OSSAccessKeyId', 'testid'],
          ['policy', vector.policyBase64],
          ['Signature', vector.signature],
          ...Object.entries(vector.form),
        ];
        expect(
          await postForm(`${oss.url}/oss/bkt`, fields, { filename: 'a b.pdf', content: Buffer.alloc(0) }),
        ).toMatchObject({
          status: 400,
          code: 'EntityTooSmall',
          message: 'Your proposed upload is smaller than the minimum allowed size.',
          ec: '0006-00000004',
        });
      } finally {
        await oss.close();
      }
    });

    it('400 InvalidArgument for an x-oss-forbid-overwrite that is neither true nor false', async () => {
      const forge = await createEmulator({ dashscope: { ossAccessKeySecret: 'known-secret' } });
      try {
        const signed = new OSS({
          accessKeyId: 'EMULATOR-AK-TEMP-STORAGE',
          accessKeySecret: 'known-secret',
        }).calculatePostSignature({
          expiration: '2099-01-01T00:00:00.000Z',
          conditions: [['starts-with', '$key', '']],
        });
        const answer = await postForm(
          `${forge.url}/oss/dashscope-file-emulator`,
          [
            ['OSSAccessKeyId', signed.OSSAccessKeyId],
            ['policy', signed.policy],
            ['Signature', signed.Signature],
            ['key', 'k'],
            ['x-oss-forbid-overwrite', 'abc'],
          ],
          small(),
        );
        expect(answer).toMatchObject({
          status: 400,
          code: 'InvalidArgument',
          message: 'Invalid x-oss-forbid-overwrite value: abc. It must be true or false.',
          ec: '0006-00000117',
        });
      } finally {
        await forge.close();
      }
    });

    it('400 InvalidArgument when there is no file field, and fields after the file are ignored', async () => {
      expect(await postForm(data.upload_host, policyFields(data, 'x.png'))).toMatchObject({
        status: 400,
        code: 'InvalidArgument',
        message:
          "Bucket POST must contain a field named 'file'. If it is specified, please check the order of the fields.",
      });
      const keyLast = without(policyFields(data, 'x.png'), 'key');
      const fileFirst = await postForm(data.upload_host, keyLast, small());
      expect(fileFirst.message).toBe(
        "Bucket POST must contain a field named 'key'. If it is specified, please check the order of the fields.",
      );
    });

    it('409 FileAlreadyExists for a second upload of the same key, allowed again after 48 h', async () => {
      const fields = policyFields(data, 'same.png');
      expect((await postForm(data.upload_host, fields, small('same.png'))).status).toBe(200);
      expect(await postForm(data.upload_host, fields, small('same.png'))).toMatchObject({
        status: 409,
        code: 'FileAlreadyExists',
        message: 'The object you specified already exists and can not be overwritten.',
      });
      expect(emulator.calls.at(-1)).toMatchObject({
        route: 'oss.postObject',
        status: 409,
        account: 'default',
      });
    });

    it('411 MissingContentLength for a chunked body when requireContentLength is set', async () => {
      const strict = await createEmulator({ requireContentLength: true });
      try {
        const response = await fetch(`${strict.url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`, {
          headers: { authorization: `Bearer ${strict.account.apiKey}` },
        });
        const strictData = ((await response.json()) as { data: PolicyData }).data;
        const fields = policyFields(strictData, 'x.png');
        expect(await postForm(strictData.upload_host, fields, small(), { isChunked: true })).toMatchObject({
          status: 411,
          code: 'MissingContentLength',
          message: 'You must provide the Content-Length HTTP header.',
        });
        expect((await postForm(strictData.upload_host, fields, small())).status).toBe(200);
      } finally {
        await strict.close();
      }
    });
  });
});

describe('model calls with oss:// URLs', () => {
  async function upload(model: string, name: string, apiKey?: string) {
    const data = await policyFor(model, apiKey);
    const answer = await postForm(data.upload_host, policyFields(data, name), small(name));
    expect(answer.status).toBe(200);
    return `oss://${data.upload_dir}/${name}`;
  }

  const compatibleBody = (model: string, url: string) => ({
    model,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url } },
        ],
      },
    ],
  });

  async function chat(body: object, headers: Record<string, string> = {}, apiKey = emulator.account.apiKey) {
    const response = await fetch(`${emulator.url}/compatible-mode/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const enable = { 'X-DashScope-OssResourceResolve': 'enable' };
  const invalidUrl =
    'InternalError.Algo.InvalidParameter: The provided URL does not appear to be valid. Ensure it is correctly formatted.';

  it('answers through the official openai SDK with a completion naming the object and its size', async () => {
    const url = await upload('qwen-vl-plus', 'cat.png');
    const client = new OpenAI({
      apiKey: emulator.account.apiKey,
      baseURL: `${emulator.url}/compatible-mode/v1`,
      defaultHeaders: enable,
      maxRetries: 0,
    });
    const completion = await client.chat.completions.create({
      model: 'qwen-vl-plus',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
    });
    expect(completion.choices[0]?.message.content).toBe(
      `Emulated reply from qwen-vl-plus: received ${url} (14 bytes, image/png).`,
    );
    const stream = await client.chat.completions.create({
      model: 'qwen-vl-plus',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain(url);
  });

  it('400 invalid_parameter_error without X-DashScope-OssResourceResolve: enable', async () => {
    const url = await upload('qwen-vl-plus', 'cat.png');
    expect(await chat(compatibleBody('qwen-vl-plus', url))).toMatchObject({
      status: 400,
      body: {
        error: { code: 'invalid_parameter_error', message: invalidUrl, type: 'invalid_request_error' },
      },
    });
  });

  it('400 for another model, another account, a missing object and an object older than 48 h', async () => {
    const url = await upload('qwen-vl-plus', 'cat.png');
    const wrongModel = await chat(compatibleBody('qwen-vl-max', url), enable);
    expect(wrongModel).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'invalid_parameter_error',
          message: `${invalidUrl} (${url}: the object was uploaded for model qwen-vl-plus)`,
        },
      },
    });
    const otherKey = await chat(compatibleBody('qwen-vl-plus', url), enable, otherAccount.apiKey);
    expect(otherKey.body).toMatchObject({
      error: { message: `${invalidUrl} (${url}: the object belongs to another account)` },
    });
    const missing = await chat(compatibleBody('qwen-vl-plus', `${url}.missing`), enable);
    expect(missing.body).toMatchObject({
      error: {
        message: `${invalidUrl} (${url}.missing: no such object, or it expired 48 hours after upload)`,
      },
    });
    emulator.clock.advance(48 * 3600 * 1000 - 1);
    expect((await chat(compatibleBody('qwen-vl-plus', url), enable)).status).toBe(200);
    emulator.clock.advance(1);
    expect(await chat(compatibleBody('qwen-vl-plus', url), enable)).toMatchObject({
      status: 400,
      body: {
        error: { message: `${invalidUrl} (${url}: no such object, or it expired 48 hours after upload)` },
      },
    });
    expect(emulator.state.dashscope.objects).toEqual([]);
  });

  it('401 for a bad API key, in each dialect', async () => {
    expect(await chat(compatibleBody('qwen-vl-plus', 'oss://x'), enable, 'sk-bad')).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_api_key', message: 'Incorrect API key provided. ' } },
    });
    const native = await fetch(`${emulator.url}/api/v1/services/aigc/multimodal-generation/generation`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-bad', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(native.status).toBe(401);
    expect(await native.json()).toMatchObject({
      code: 'InvalidApiKey',
      message: 'Invalid API-key provided.',
    });
  });

  it('answers the native multimodal endpoint in the native shape', async () => {
    const url = await upload('qwen-vl-plus', 'dog.png');
    const body = {
      model: 'qwen-vl-plus',
      input: { messages: [{ role: 'user', content: [{ image: url }, { text: 'What is this?' }] }] },
    };
    const call = (headers: Record<string, string>) =>
      fetch(`${emulator.url}/api/v1/services/aigc/multimodal-generation/generation`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${emulator.account.apiKey}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const refused = await call({});
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'InvalidParameter', message: invalidUrl });
    const answered = await call(enable);
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({
      output: {
        choices: [
          {
            finish_reason: 'stop',
            message: {
              role: 'assistant',
              content: [{ text: `Emulated reply from qwen-vl-plus: received ${url} (14 bytes, image/png).` }],
            },
          },
        ],
      },
    });
  });
});
