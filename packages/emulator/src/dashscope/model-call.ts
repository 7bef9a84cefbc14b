import { randomUUID } from 'node:crypto';
import { RequestBodyError, readJsonBody, sendJson } from '../http-reply.js';
import type { EmulatorAccount, Exchange } from '../surface.js';
import { bearerAccount } from './bearer-account.js';
import type { ObjectStore } from './object-store.js';

/** The two model-call dialects: OpenAI-compatible mode and the native DashScope API. */
export type ModelCallDialect = 'compatible' | 'native';

const invalidUrlMessage =
  'InternalError.Algo.InvalidParameter: The provided URL does not appear to be valid. Ensure it is correctly formatted.';

/**
 * Answers a model call (`/compatible-mode/v1/chat/completions` or the native multimodal generation endpoint) with a
 * short canned completion naming every `oss://` object it was given and its size. `oss://` URLs resolve only with
 * `X-DashScope-OssResourceResolve: enable`, and only to a live object uploaded for the same account and model.
 */
export async function handleModelCall(exchange: Exchange, dialect: ModelCallDialect, store: ObjectStore) {
  const { request, response } = exchange;
  const requestId = randomUUID();
  const fail = (status: number, code: string, message: string) =>
    dialect === 'compatible'
      ? sendJson(response, status, {
          error: { message, type: errorType(status), param: null, code },
          request_id: requestId,
        })
      : sendJson(response, status, { request_id: requestId, code, message });

  const account = bearerAccount(request, exchange.context.accounts);
  if (typeof account === 'string') {
    request.resume();
    return dialect === 'compatible'
      ? fail(401, 'invalid_api_key', 'Incorrect API key provided. ')
      : fail(
          401,
          'InvalidApiKey',
          account === 'missing' ? 'No API-key provided.' : 'Invalid API-key provided.',
        );
  }
  exchange.setAccount(account.name);

  let body: unknown;
  try {
    body = await readJsonBody(request, 16 * 1024 * 1024);
  } catch (error) {
    const message = error instanceof RequestBodyError ? error.message : 'Request body could not be read';
    return fail(400, dialect === 'compatible' ? 'invalid_parameter_error' : 'InvalidParameter', message);
  }
  const model = (body as { model?: unknown } | undefined)?.model;
  if (typeof model !== 'string' || model === '') {
    return dialect === 'compatible'
      ? fail(400, 'invalid_parameter_error', 'The model parameter is required.')
      : fail(400, 'InvalidParameter', 'Model not specified.');
  }

  const urls = [...new Set(collectOssUrls(body))];
  const invalidCode = dialect === 'compatible' ? 'invalid_parameter_error' : 'InvalidParameter';
  if (
    urls.length > 0 &&
    String(request.headers['x-dashscope-ossresourceresolve'] ?? '').toLowerCase() !== 'enable'
  ) {
    return fail(400, invalidCode, invalidUrlMessage);
  }
  const described: string[] = [];
  for (const url of urls) {
    const reason = unusableReason(url, store, account, model);
    if (typeof reason === 'string') return fail(400, invalidCode, `${invalidUrlMessage} (${url}: ${reason})`);
    described.push(`${url} (${reason.sizeBytes} bytes, ${reason.contentType})`);
  }

  const text =
    described.length === 0
      ? `Emulated reply from ${model}.`
      : `Emulated reply from ${model}: received ${described.join(', ')}.`;
  const inputTokens = 10 + described.length * 100;
  const outputTokens = Math.ceil(text.length / 4);
  if (dialect === 'native') {
    return sendJson(response, 200, {
      request_id: requestId,
      output: { choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: [{ text }] } }] },
      usage: {
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        total_tokens: inputTokens + outputTokens,
      },
    });
  }
  const id = `chatcmpl-${requestId}`;
  const created = Math.floor(exchange.context.clock.now() / 1000);
  const usage = {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
  };
  if ((body as { stream?: unknown }).stream === true) {
    const chunk = (delta: object, finishReason: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] })}\n\n`;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    response.end(`${chunk({ role: 'assistant', content: text }, null)}${chunk({}, 'stop')}data: [DONE]\n\n`);
    return;
  }
  return sendJson(response, 200, {
    choices: [
      { message: { content: text, role: 'assistant' }, finish_reason: 'stop', index: 0, logprobs: null },
    ],
    object: 'chat.completion',
    usage,
    created,
    system_fingerprint: null,
    model,
    id,
  });
}

function errorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'requests';
  return 'invalid_request_error';
}

/** Every string in the body that is an `oss://` URL, wherever it sits (image_url.url, image, video, audio...). */
function collectOssUrls(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.startsWith('oss://')) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectOssUrls(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectOssUrls(item, found);
  }
  return found;
}

function unusableReason(url: string, store: ObjectStore, account: EmulatorAccount, model: string) {
  const key = url.slice('oss://'.length);
  const object = store.get(key);
  if (object === undefined) return 'no such object, or it expired 48 hours after upload';
  if (object.account !== account.name) return 'the object belongs to another account';
  if (object.model !== model) return `the object was uploaded for model ${object.model ?? '(unknown)'}`;
  return object;
}
