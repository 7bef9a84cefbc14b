import * as bailian from '@alicloud/bailian20231229';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import OpenAI, { APIConnectionError, APIError, toFile } from 'openai';
import type { FileCreateParams } from 'openai/resources/files';
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
      for (const name of ['x-acs-retry-after', 'x-acs-request-id']) {
        expect(injected.headers[name], name).toBeTruthy();
        expect(real.headers[name], name).toBeTruthy();
      }
      // Bailian names the wait only in its own header, in milliseconds (spec §7).
      expect(injected.headers['x-acs-retry-after']).toBe('1000');
      expect(injected.headers['retry-after']).toBeUndefined();
      expect(real.headers['retry-after']).toBeUndefined();
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

function bailianClient() {
  return new BailianClientClass(
    new $OpenApiUtil.Config({
      accessKeyId: emulator.account.accessKeyId,
      accessKeySecret: emulator.account.accessKeySecret,
      endpoint: new URL(emulator.url).host,
      protocol: 'http',
    }),
  );
}

function filesClient() {
  return new OpenAI({
    apiKey: emulator.account.apiKey,
    baseURL: `${emulator.url}/compatible-mode/v1`,
    maxRetries: 0,
  });
}

/** `file-extract` is the service's own purpose; the SDK's types only know OpenAI's. */
const fileExtract = 'file-extract' as unknown as FileCreateParams['purpose'];

describe('answerLost: the service acts, then the answer is lost to a connection reset', () => {
  it('AddCategory (official SDK): the call fails, yet the category was created, once', async () => {
    const client = bailianClient();
    emulator.faults.next({ route: 'AddCategory', fault: { type: 'answerLost' } });
    const failure = await client
      .addCategory(
        emulator.account.workspaceId,
        new bailian.AddCategoryRequest({ categoryName: 'answer-lost', categoryType: 'UNSTRUCTURED' }),
      )
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(failure).toBeInstanceOf(Error);
    const listed = await client.listCategory(
      emulator.account.workspaceId,
      new bailian.ListCategoryRequest({ categoryType: 'UNSTRUCTURED', maxResults: 100 }),
    );
    const names = (listed.body?.data?.categoryList ?? []).map((category) => category.categoryName);
    expect(names.filter((name) => name === 'answer-lost')).toHaveLength(1);
    const [call] = emulator.calls.filter((record) => record.route === 'AddCategory');
    // Recorded as the service answered it; the client received only the head and half the body.
    expect(call).toMatchObject({ status: 200, fault: 'answerLost' });
    expect(call!.responseBytes).toBeGreaterThan(0);
  });

  it("at: 'head' on a Files upload (official openai SDK): no status reaches the client, the file exists", async () => {
    const client = filesClient();
    emulator.faults.next({ route: 'files.upload', fault: { type: 'answerLost', at: 'head' } });
    const failure = await client.files
      .create({ file: await toFile(Buffer.from('lost answer'), 'lost.txt'), purpose: fileExtract })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(failure).toBeInstanceOf(APIConnectionError);
    const files = [];
    for await (const file of client.files.list()) files.push(file);
    expect(files.filter((file) => file.filename === 'lost.txt')).toHaveLength(1);
    expect(emulator.calls.find((record) => record.route === 'files.upload')).toMatchObject({
      status: 200,
      fault: 'answerLost',
    });
  });

  it('a streamed answer (file content) is cut halfway; the next call is answered whole', async () => {
    const client = filesClient();
    const content = 'x'.repeat(64 * 1024);
    const file = await client.files.create({
      file: await toFile(Buffer.from(content), 'streamed.txt'),
      purpose: fileExtract,
    });
    emulator.faults.next({ route: 'files.content', fault: { type: 'answerLost' } });
    const cut = await fetch(`${emulator.url}/compatible-mode/v1/files/${file.id}/content`, {
      headers: { authorization: `Bearer ${emulator.account.apiKey}` },
    });
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
    const whole = await client.files.content(file.id);
    expect(await whole.text()).toBe(content);
  });

  it('refuses an unknown at', () => {
    expect(() => emulator.faults.next({ fault: { type: 'answerLost', at: 'tail' as 'head' } })).toThrow(
      "fault.at must be 'head' or 'body'",
    );
  });
});

describe('successFalse with retryAfterSeconds: a Bailian 200 throttle carries the retry hint', () => {
  it('x-acs-retry-after in milliseconds on the 200, the only wait header', async () => {
    emulator.faults.next({
      route: 'ListFile',
      fault: { type: 'successFalse', code: 'DataCenter.Throttling', retryAfterSeconds: 2 },
    });
    const raw = await listFile();
    expect(raw.status).toBe(200);
    expect(raw.json).toMatchObject({ Success: false, Code: 'DataCenter.Throttling', Status: '200' });
    expect(raw.headers['x-acs-retry-after']).toBe('2000');
    expect(raw.headers['retry-after']).toBeUndefined();
  });

  it('no retry headers without it, and the official SDK returns the body without throwing', async () => {
    emulator.faults.next({
      route: 'ListFile',
      fault: { type: 'successFalse', code: 'DataCenter.Throttling' },
    });
    const raw = await listFile();
    expect(raw.headers['retry-after']).toBeUndefined();
    expect(raw.headers['x-acs-retry-after']).toBeUndefined();

    emulator.faults.next({
      route: 'ListFile',
      fault: { type: 'successFalse', code: 'DataCenter.Throttling', retryAfterSeconds: 1 },
    });
    const answer = await bailianClient().listFile(
      emulator.account.workspaceId,
      new bailian.ListFileRequest({ categoryId: 'default' }),
    );
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({ success: false, code: 'DataCenter.Throttling' });
    expect(answer.headers?.['x-acs-retry-after']).toBe('1000');
  });

  it('refuses a retryAfterSeconds that is not a non-negative integer', () => {
    expect(() => emulator.faults.next({ fault: { type: 'successFalse', retryAfterSeconds: -1 } })).toThrow(
      'fault.retryAfterSeconds must be a non-negative integer',
    );
  });
});
