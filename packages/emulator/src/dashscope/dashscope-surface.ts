import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { md5Hex } from '@x/hash';
import { drainRequest, newRequestId, sendJson } from '../http-reply.js';
import { newOssRequestId, ossErrorXml } from '../oss-error-xml.js';
import type { Surface, SurfaceContext } from '../surface.js';
import { bearerAccount } from './bearer-account.js';
import { handleModelCall } from './model-call.js';
import { defaultModelSizeLimits, type ModelSizeLimit, maxFileSizeMbFor } from './model-size-limits.js';
import { createObjectStore, type StoredObject } from './object-store.js';
import { handlePostObject } from './post-object.js';
import { buildPolicy, signPolicy } from './post-policy.js';

/** Options of the DashScope temporary storage surface (`createEmulator({ dashscope })`). */
export interface DashScopeSurfaceOptions {
  /**
   * Refuse PostObject requests without `Content-Length` (chunked bodies) with 411 `MissingContentLength`.
   * @default false
   */
  readonly requireContentLength?: boolean;
  /**
   * Name of the temporary-storage bucket; `upload_host` is `<emulator url>/oss/<bucket>`.
   * @default 'dashscope-file-emulator'
   */
  readonly bucket?: string;
  /**
   * AccessKey ID that signs the POST policies (`oss_access_key_id`).
   * @default 'EMULATOR-AK-TEMP-STORAGE'
   */
  readonly ossAccessKeyId?: string;
  /**
   * AccessKey secret that signs the POST policies. Only the emulator and tests that forge forms need it.
   * @default 'emulator-temp-storage-secret-not-a-real-one'
   */
  readonly ossAccessKeySecret?: string;
  /**
   * Lifetime of a policy (`expire_in_seconds`).
   * @default 300
   */
  readonly policyTtlSeconds?: number;
  /**
   * Lifetime of an uploaded object, in milliseconds of emulated time.
   * @default 172800000 (48 hours)
   */
  readonly objectTtlMs?: number;
  /**
   * Per-model size limits, checked in order before the built-in {@link defaultModelSizeLimits}.
   * @default []
   */
  readonly modelSizeLimits?: readonly ModelSizeLimit[];
  /**
   * `max_file_size_mb` for a model that no limit matches.
   * @default 100
   */
  readonly defaultMaxFileSizeMb?: number;
  /**
   * `capacity_limit_mb` reported by getPolicy (the daily quota; reported, not enforced).
   * @default 999999999
   */
  readonly capacityLimitMb?: number;
  /**
   * getPolicy calls allowed per second per account and model before 429 `Throttling.RateQuota`.
   * @default 100
   */
  readonly getPolicyQps?: number;
}

/** Inspectable state of the DashScope surface (`emulator.state.dashscope`). */
export interface DashScopeState {
  /** Live objects in temporary storage. */
  readonly objects: readonly StoredObject[];
  /** Upload directories issued by getPolicy that have not expired. */
  readonly uploadDirs: readonly { uploadDir: string; model: string; account: string; expiresAtMs: number }[];
}

/** The DashScope temporary storage surface, with its state typed. */
export interface DashScopeSurface extends Surface {
  /** Objects in temporary storage and the upload directories issued. */
  readonly state: DashScopeState;
}

const routes = {
  getPolicy: 'dashscope.getPolicy',
  postObject: 'oss.postObject',
  chatCompletions: 'dashscope.chatCompletions',
  multimodalGeneration: 'dashscope.multimodalGeneration',
} as const;

/**
 * Creates the DashScope temporary storage surface: `GET /api/v1/uploads?action=getPolicy&model=M`, the OSS PostObject
 * endpoint at `/oss/<bucket>` that `upload_host` names, and the model calls that resolve `oss://` URLs
 * (`POST /compatible-mode/v1/chat/completions`, `POST /api/v1/services/aigc/multimodal-generation/generation`).
 *
 * @example
 * ```ts
 * const surface = createDashScopeSurface(context, { modelSizeLimits: [{ model: 'my-model', maxFileSizeMb: 10 }] });
 * ```
 */
export function createDashScopeSurface(
  context: SurfaceContext,
  options: DashScopeSurfaceOptions = {},
): DashScopeSurface {
  const bucket = options.bucket ?? 'dashscope-file-emulator';
  const ossAccessKeyId = options.ossAccessKeyId ?? 'EMULATOR-AK-TEMP-STORAGE';
  const ossAccessKeySecret = options.ossAccessKeySecret ?? 'emulator-temp-storage-secret-not-a-real-one';
  const policyTtlSeconds = options.policyTtlSeconds ?? 300;
  const objectTtlMs = options.objectTtlMs ?? 48 * 3600 * 1000;
  const sizeLimits = [...(options.modelSizeLimits ?? []), ...defaultModelSizeLimits];
  const defaultMaxFileSizeMb = options.defaultMaxFileSizeMb ?? 100;
  const getPolicyQps = options.getPolicyQps ?? 100;
  const store = createObjectStore(join(context.dataDir, 'dashscope'), context.clock);
  const uploadDirs = new Map<string, { model: string; account: string; expiresAtMs: number }>();
  const credentials = new Map([[ossAccessKeyId, ossAccessKeySecret]]);

  const liveUploadDirs = () => {
    const now = context.clock.now();
    for (const [uploadDir, entry] of uploadDirs) if (entry.expiresAtMs < now) uploadDirs.delete(uploadDir);
    return uploadDirs;
  };

  return {
    name: 'dashscope',
    match(method, url) {
      const path = url.pathname;
      if (method === 'GET' && path === '/api/v1/uploads') return routes.getPolicy;
      if (method === 'POST' && /^\/oss\/[^/]+\/?$/.test(path)) return routes.postObject;
      if (method === 'POST' && path === '/compatible-mode/v1/chat/completions') return routes.chatCompletions;
      if (method === 'POST' && path === '/api/v1/services/aigc/multimodal-generation/generation') {
        return routes.multimodalGeneration;
      }
      return undefined;
    },
    async handle(exchange) {
      switch (exchange.route) {
        case routes.postObject: {
          const bucketName = decodeURIComponent(exchange.url.pathname.split('/')[2] ?? '');
          return handlePostObject(exchange, bucketName, {
            bucket,
            credentials,
            store,
            objectTtlMs,
            requireContentLength: options.requireContentLength ?? false,
            binding(key) {
              for (const [uploadDir, entry] of uploadDirs) if (key.startsWith(`${uploadDir}/`)) return entry;
              return undefined;
            },
          });
        }
        case routes.chatCompletions:
          return handleModelCall(exchange, 'compatible', store);
        case routes.multimodalGeneration:
          return handleModelCall(exchange, 'native', store);
        default:
          return getPolicy(exchange);
      }
    },
    sendError(exchange, error) {
      const { request, response, route } = exchange;
      if (route === routes.postObject) {
        const requestId = newOssRequestId();
        const xml = ossErrorXml(error.code, error.message, { requestId, hostId: request.headers.host ?? '' });
        response.writeHead(error.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(xml),
          'x-oss-request-id': requestId,
          server: 'AliyunOSS',
          ...error.headers,
        });
        response.end(xml);
        return;
      }
      const requestId = newRequestId();
      if (route === routes.chatCompletions) {
        // Compatible mode answers in the OpenAI envelope, as its own errors do.
        const type =
          error.status === 429 ? 'requests' : error.status >= 500 ? 'server_error' : 'invalid_request_error';
        sendJson(
          response,
          error.status,
          { error: { message: error.message, type, param: null, code: error.code }, request_id: requestId },
          { 'x-request-id': requestId, ...error.headers },
        );
        return;
      }
      sendJson(
        response,
        error.status,
        { request_id: requestId, code: error.code, message: error.message },
        error.headers,
      );
    },
    state: {
      get objects(): readonly StoredObject[] {
        return store.list();
      },
      get uploadDirs(): DashScopeState['uploadDirs'] {
        return [...liveUploadDirs()].map(([uploadDir, entry]) => ({ uploadDir, ...entry }));
      },
    },
  };

  async function getPolicy(exchange: Parameters<Surface['handle']>[0]) {
    const { request, response, url } = exchange;
    await drainRequest(request);
    const requestId = newRequestId();
    const fail = (status: number, code: string, message: string) =>
      sendJson(response, status, { request_id: requestId, code, message });
    const account = bearerAccount(request, context.accounts);
    if (account === 'missing') return fail(401, 'InvalidApiKey', 'No API-key provided.');
    if (account === 'unknown') return fail(401, 'InvalidApiKey', 'Invalid API-key provided.');
    exchange.setAccount(account.name);
    const action = url.searchParams.get('action');
    const model = url.searchParams.get('model');
    if (action !== 'getPolicy') {
      return fail(
        400,
        'InvalidParameter',
        `Unsupported action: ${action ?? '(missing)'}. Use action=getPolicy.`,
      );
    }
    if (model === null || model === '')
      return fail(400, 'InvalidParameter', 'Required parameter model is missing.');
    if (!context.withinQuota(`dashscope.getPolicy:${account.name}:${model}`, getPolicyQps, 1000)) {
      return fail(429, 'Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.');
    }
    const now = context.clock.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const uploadDir = `dashscope-instant/${md5Hex(`account:${account.name}`)}/${day}/${randomUUID()}`;
    const expiresAtMs = now + policyTtlSeconds * 1000;
    const maxFileSizeMb = maxFileSizeMbFor(model, sizeLimits, defaultMaxFileSizeMb);
    const policy = buildPolicy({ expiresAtMs, bucket, maxSizeBytes: maxFileSizeMb * 1024 * 1024, uploadDir });
    liveUploadDirs().set(uploadDir, { model, account: account.name, expiresAtMs });
    return sendJson(response, 200, {
      request_id: requestId,
      data: {
        policy,
        signature: signPolicy(ossAccessKeySecret, policy),
        upload_dir: uploadDir,
        upload_host: `${context.baseUrl()}/oss/${bucket}`,
        expire_in_seconds: policyTtlSeconds,
        max_file_size_mb: maxFileSizeMb,
        capacity_limit_mb: options.capacityLimitMb ?? 999999999,
        oss_access_key_id: ossAccessKeyId,
        x_oss_object_acl: 'private',
        x_oss_forbid_overwrite: 'true',
      },
    });
  }
}
