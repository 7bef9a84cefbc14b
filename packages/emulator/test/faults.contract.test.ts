import * as bailian from '@alicloud/bailian20231229';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import OpenAI, { APIError } from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/create-emulator.js';
import { documentedErrors } from '../src/documented-errors.js';
import { signedRequest } from './support/acs3-request.js';

/** The SDK is CommonJS with `exports.default`: Node's ESM puts the class one level down, vitest's interop does not. */
const sdkExport = bailian.default as unknown as { default?: unknown };
const BailianClientClass = (
  typeof sdkExport === 'function' ? sdkExport : sdkExport.default
) as typeof bailian.default.default;

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({ limits: { isRateLimited: false } });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

function getPolicy(target = emulator) {
  return request(`${target.url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`, {
    headers: { authorization: `Bearer ${target.account.apiKey}` },
  });
}

function listFile(target = emulator) {
  return signedRequest(target, {
    method: 'GET',
    path: `/${target.account.workspaceId}/datacenter/files`,
    action: 'ListFile',
    query: 'CategoryId=default',
  });
}

describe('every documented error code, by name, in the format of the surface it hits', () => {
  it.each(Object.entries(documentedErrors.dashscope))('DashScope getPolicy: %s', async (code, documented) => {
    emulator.faults.next({ route: 'dashscope.getPolicy', fault: { type: 'error', code } });
    const response = await getPolicy();
    const body = (await response.body.json()) as Record<string, unknown>;
    expect(response.statusCode).toBe(documented.status);
    expect(body).toEqual({ request_id: expect.any(String), code, message: documented.message });
  });

  it.each(Object.entries(documentedErrors.files))(
    'Files API (official openai SDK): %s',
    async (code, documented) => {
      const client = new OpenAI({
        apiKey: emulator.account.apiKey,
        baseURL: `${emulator.url}/compatible-mode/v1`,
        maxRetries: 0,
      });
      emulator.faults.next({ route: 'files.list', fault: { type: 'error', code } });
      const error = await client.files.list().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(APIError);
      const apiError = error as APIError;
      expect({ status: apiError.status, code: apiError.code, message: apiError.message }).toEqual({
        status: documented.status,
        code,
        message: `${documented.status} ${documented.message}`,
      });
      expect(apiError.requestID).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it.each(Object.entries(documentedErrors.bailian))(
    'Bailian (official SDK): %s',
    async (code, documented) => {
      emulator.faults.next({ route: 'ListFile', fault: { type: 'error', code } });
      const raw = await listFile();
      expect(raw.status).toBe(documented.status);
      expect(raw.json).toMatchObject({
        RequestId: expect.any(String),
        Code: code,
        Message: documented.message,
      });
      expect(raw.headers['x-acs-request-id']).toBe(raw.json.RequestId);
      if (!documented.isGateway)
        expect(raw.json).toMatchObject({ Success: false, Status: String(documented.status) });

      emulator.faults.next({ route: 'ListFile', fault: { type: 'error', code } });
      const client = new BailianClientClass(
        new $OpenApiUtil.Config({
          accessKeyId: emulator.account.accessKeyId,
          accessKeySecret: emulator.account.accessKeySecret,
          endpoint: new URL(emulator.url).host,
          protocol: 'http',
        }),
      );
      const failure = (await client
        .listFile(emulator.account.workspaceId, new bailian.ListFileRequest({ categoryId: 'default' }))
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        )) as { name?: string; code?: string; statusCode?: number; data?: { Message?: string } };
      expect(failure).toMatchObject({ code, statusCode: documented.status });
      expect(failure.data?.Message).toBe(documented.message);
      const expectedName = code.includes('Throttling')
        ? 'ThrottlingError'
        : documented.status >= 500
          ? 'ServerError'
          : 'ClientError';
      expect(failure.name).toBe(expectedName);
    },
  );

  it.each(Object.entries(documentedErrors.oss))('OSS lease PUT: %s in OSS XML', async (code, documented) => {
    emulator.faults.next({ route: 'oss.putObject', fault: { type: 'error', code } });
    const response = await request(
      `${emulator.url}/bailian-upload/1/llm-emulator/x.pdf?Expires=1&OSSAccessKeyId=a&Signature=b`,
      {
        method: 'PUT',
        body: 'x',
      },
    );
    const text = await response.body.text();
    expect(response.statusCode).toBe(documented.status);
    expect(response.headers['content-type']).toBe('application/xml');
    expect(response.headers['x-oss-request-id']).toBeTruthy();
    expect(text).toContain(`<Code>${code}</Code>`);
    expect(text).toContain(`<Message>${documented.message}</Message>`);
  });

  it('refuses a code no service documents, listing the documented ones', () => {
    expect(() => emulator.faults.next({ fault: { type: 'error', code: 'Nope' } })).toThrow(
      /fault\.code must be a documented error code \(.*Throttling\.RateQuota.*\), got "Nope"/,
    );
  });
});

describe('an injected throttle looks like the real one', () => {
  it('on getPolicy: 429 Throttling.RateQuota, same body shape, message and Retry-After', async () => {
    const throttled = await createEmulator({ dashscope: { getPolicyQps: 1 } });
    try {
      await (await getPolicy(throttled)).body.text();
      const real = await getPolicy(throttled);
      const realBody = (await real.body.json()) as Record<string, unknown>;
      emulator.faults.next({ route: 'dashscope.getPolicy', fault: { type: 'status', status: 429 } });
      const injected = await getPolicy();
      const injectedBody = (await injected.body.json()) as Record<string, unknown>;
      expect(injected.statusCode).toBe(real.statusCode);
      expect(Object.keys(injectedBody).sort()).toEqual(Object.keys(realBody).sort());
      expect({ ...injectedBody, request_id: '' }).toEqual({ ...realBody, request_id: '' });
    } finally {
      await throttled.close();
    }
  });

  it('on Bailian: 429 DataCenter.Throttling with x-acs-retry-after, x-acs-request-id and the same body', async () => {
    const throttled = await createEmulator({ bailian: { rateLimits: { ListFile: 1 } } });
    try {
      await listFile(throttled);
      const real = await listFile(throttled);
      emulator.faults.next({ route: 'ListFile', fault: { type: 'status', status: 429 } });
      const injected = await listFile();
      expect(injected.status).toBe(429);
      expect(real.status).toBe(429);
      expect({ ...injected.json, RequestId: '' }).toEqual({ ...real.json, RequestId: '' });
      for (const name of ['x-acs-retry-after', 'retry-after', 'x-acs-request-id']) {
        expect(injected.headers[name], name).toBeTruthy();
        expect(real.headers[name], name).toBeTruthy();
      }
    } finally {
      await throttled.close();
    }
  });

  it('on compatible-mode chat completions: the OpenAI envelope with x-request-id', async () => {
    const client = new OpenAI({
      apiKey: emulator.account.apiKey,
      baseURL: `${emulator.url}/compatible-mode/v1`,
      maxRetries: 0,
    });
    emulator.faults.next({ route: 'dashscope.chatCompletions', fault: { type: 'error', code: 'Arrearage' } });
    const error = (await client.chat.completions
      .create({ model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      )) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 'Arrearage' });
    expect(error.requestID).toMatch(/^[0-9a-f-]{36}$/);
  });
});
