import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { sha256Hex } from '@x/hash';
import { documentedErrors } from '../documented-errors.js';
import type { Exchange, Surface, SurfaceContext } from '../surface.js';
import { headerTexts } from '../utf8-text.js';
import { type Acs3Request, createAcs3Verifier } from './acs3-verifier.js';
import { BailianApiError } from './bailian-api-error.js';
import {
  BAILIAN_API_ROUTES,
  BAILIAN_UPLOAD_ROUTE,
  type BailianAction,
  matchBailianRoute,
} from './bailian-routes.js';
import {
  type BailianLease,
  type BailianParseSchedule,
  type BailianState,
  type BailianStsCredential,
  fileStatus,
  SAFE_CHECK_FAILED_MESSAGE,
} from './bailian-state.js';
import { type Caller, createDataCenterActions, type DataCenterAction } from './data-center-actions.js';
import { type BailianIndexJobSchedule, createIndexActions } from './index-actions.js';
import { handleLeaseUpload, sendOssError, type UploadSigningKey } from './lease-upload.js';
import { requestParams } from './request-params.js';

/** Options of the Bailian data API surface. */
export interface BailianSurfaceOptions {
  /**
   * When files move through the parse states, counted from AddFile on the emulated clock.
   * @default { queuedAfterMs: 500, parsingAfterMs: 1000, indexBuiltAfterMs: 1500, doneAfterMs: 2000, sessionFileTtlMs: 604800000, indexDeletedForMs: 1000 }
   */
  readonly parseSchedule?: BailianParseSchedule;
  /**
   * How long a lease's pre-signed PUT URL works.
   * @default 600000 (10 minutes)
   */
  readonly uploadUrlTtlMs?: number;
  /**
   * How long a lease and its uploaded bytes stay in temporary storage, waiting for AddFile.
   * @default 43200000 (12 hours)
   */
  readonly leaseTtlMs?: number;
  /**
   * Largest `SizeInBytes` ApplyFileUploadLease grants.
   * @default 104857600 (100 MB)
   */
  readonly maxFileSizeBytes?: number;
  /**
   * Categories a workspace may hold, the default one included.
   * @default 500
   */
  readonly maxCategoriesPerWorkspace?: number;
  /**
   * Tags a file may carry.
   * @default 32
   */
  readonly maxTagsPerFile?: number;
  /**
   * Calls per second per account, by action; a call over the limit gets 429 `DataCenter.Throttling`. Actions not
   * listed are not throttled.
   * @default { ApplyFileUploadLease: 10, AddFile: 10, DescribeFile: 10, ListFile: 5, AddCategory: 5 }
   */
  readonly rateLimits?: {
    /** ApplyFileUploadLease calls per second. @default 10 */
    readonly ApplyFileUploadLease?: number;
    /** AddFile calls per second. @default 10 */
    readonly AddFile?: number;
    /** DescribeFile calls per second. @default 10 */
    readonly DescribeFile?: number;
    /** ListFile calls per second. @default 5 */
    readonly ListFile?: number;
    /** DeleteFile calls per second. @default unlimited */
    readonly DeleteFile?: number;
    /** UpdateFileTag calls per second. @default unlimited */
    readonly UpdateFileTag?: number;
    /** AddCategory calls per second. @default 5 */
    readonly AddCategory?: number;
    /** ListCategory calls per second. @default unlimited */
    readonly ListCategory?: number;
    /** DeleteCategory calls per second. @default unlimited */
    readonly DeleteCategory?: number;
  };
  /**
   * How far `x-acs-date` may be from the emulated clock.
   * @default 900000 (15 minutes)
   */
  readonly clockSkewMs?: number;
  /**
   * The JSON form of `Data.Param.Headers` in ApplyFileUploadLease answers: an `object`, a `string` holding a
   * `"name": "value"` fragment as seed 000's only example shows, or `alternate` (string, object, string...). The SDK
   * types the field `any` (spec §3.1), so a client must read both; the default is the form an object-only client
   * fails against.
   * @default 'string'
   */
  readonly leaseHeaders?: 'object' | 'string' | 'alternate';
  /**
   * Refuse a lease PUT without `Content-Length` (a chunked body) with 411 `MissingContentLength`, as PostObject does.
   * `createEmulator` passes its own `requireContentLength`.
   * @default false
   */
  readonly requireContentLength?: boolean;
  /**
   * When index jobs move `PENDING` -> `RUNNING` -> `COMPLETED` / `FAILED`, counted from submission on the emulated
   * clock.
   * @default { runningAfterMs: 500, doneAfterMs: 2000 }
   */
  readonly indexJobSchedule?: BailianIndexJobSchedule;
  /**
   * GetIndexJobStatus calls per minute per account before 429 `Throttling.User` (spec §3: more than 20 a minute
   * throttles).
   * @default 20
   */
  readonly indexJobStatusPerMinute?: number;
}

/** The Bailian data API surface; its state holds leases, objects, files, categories and STS credentials. */
export interface BailianSurface extends Surface {
  /** Leases, uploaded objects, files, categories and STS credentials, with an STS vending machine. */
  readonly state: BailianState;
}

const API_VERSION = '2023-12-29';
const MAX_FORM_BYTES = 1024 * 1024;
const DEFAULT_RATE_LIMITS: Partial<Record<BailianAction, number>> = {
  ApplyFileUploadLease: 10,
  AddFile: 10,
  DescribeFile: 10,
  ListFile: 5,
  AddCategory: 5,
  CreateIndex: 10,
};
const UNKNOWN_WORKSPACE_MESSAGE =
  'You are not authorized to access this workspace, or the workspace does not exist';

/** Reads a small request body; anything past the cap is drained and reported. */
async function readSmallBody(request: IncomingMessage): Promise<{ body: Buffer; isTooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    sizeBytes += chunk.byteLength;
    if (sizeBytes <= MAX_FORM_BYTES) chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks), isTooLarge: sizeBytes > MAX_FORM_BYTES };
}

/**
 * Creates the Bailian data-center API surface: ApplyFileUploadLease, the lease's pre-signed PUT, AddFile,
 * DescribeFile, ListFile, DeleteFile, UpdateFileTag, AddCategory, ListCategory and DeleteCategory, every call
 * verified with ACS3-HMAC-SHA256 (STS tokens included) and answered in the data center's JSON envelope.
 *
 * @param context - What the emulator core shares: clock, accounts, data folder, origin and quotas.
 * @param options - Schedules and limits; every field has a documented default.
 * @example
 * ```ts
 * const bailian = createBailianSurface(context, { parseSchedule: { doneAfterMs: 0 } });
 * const sts = bailian.state.mintStsCredentials({ durationMs: 15 * 60_000 });
 * ```
 */
export function createBailianSurface(
  context: SurfaceContext,
  options: BailianSurfaceOptions = {},
): BailianSurface {
  const rateLimits: Partial<Record<BailianAction, number>> = {
    ...DEFAULT_RATE_LIMITS,
    ...options.rateLimits,
  };
  const objectsDir = join(context.dataDir, 'bailian');
  const signingKey: UploadSigningKey = {
    accessKeyId: `EMULATOR-AK-UPLOAD-${randomBytes(9).toString('hex')}`,
    accessKeySecret: randomBytes(24).toString('base64url'),
  };

  const state: BailianState = {
    leases: new Map(),
    objects: new Map(),
    files: new Map(),
    categories: new Map(),
    stsCredentials: new Map(),
    indices: new Map(),
    indexJobs: new Map(),
    mintStsCredentials(mintOptions = {}) {
      const account =
        mintOptions.accountName === undefined
          ? context.accounts[0]
          : context.accounts.find((candidate) => candidate.name === mintOptions.accountName);
      if (!account) throw new Error(`No emulated account named ${mintOptions.accountName ?? '(default)'}`);
      const credential: BailianStsCredential = {
        accessKeyId: `STS.${randomBytes(18).toString('base64url')}`,
        accessKeySecret: randomBytes(30).toString('base64url'),
        securityToken: `CAIS${randomBytes(96).toString('base64')}`,
        accountName: account.name,
        expiresAtMs: context.clock.now() + (mintOptions.durationMs ?? 3600 * 1000),
      };
      state.stsCredentials.set(credential.accessKeyId, credential);
      return credential;
    },

    fileStatus(fileId) {
      const file = state.files.get(fileId);
      return file ? fileStatus(file, context.clock.now(), options.parseSchedule) : undefined;
    },
  };
  const leasesByKey = new Map<string, BailianLease>();
  let sequence = 0;
  const nextSequence = () => sequence++;
  for (const account of context.accounts) {
    if (state.categories.has(account.categoryId)) continue;
    state.categories.set(account.categoryId, {
      categoryId: account.categoryId,
      categoryName: 'default',
      categoryType: 'UNSTRUCTURED',
      workspaceId: account.workspaceId,
      isDefault: true,
      sequence: nextSequence(),
    });
  }

  const verifier = createAcs3Verifier<Caller>({
    now: () => context.clock.now(),
    ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }),
    lookup(accessKeyId) {
      const account = context.accounts.find((candidate) => candidate.accessKeyId === accessKeyId);
      if (account) return { owner: { account }, credential: account };
      const temporary = state.stsCredentials.get(accessKeyId);
      const owner = context.accounts.find((candidate) => candidate.name === temporary?.accountName);
      if (!temporary || !owner) return undefined;
      return { owner: { account: owner }, credential: temporary };
    },
  });

  const dataCenterActions = createDataCenterActions({
    context,
    state,
    leasesByKey,
    nextSequence,
    signingKey,
    limits: {
      uploadUrlTtlMs: options.uploadUrlTtlMs ?? 10 * 60 * 1000,
      leaseTtlMs: options.leaseTtlMs ?? 12 * 3600 * 1000,
      maxFileSizeBytes: options.maxFileSizeBytes ?? 100 * 1024 * 1024,
      maxCategories: options.maxCategoriesPerWorkspace ?? 500,
      maxTags: options.maxTagsPerFile ?? 32,
      parseSchedule: options.parseSchedule,
      leaseHeaders: options.leaseHeaders ?? 'string',
    },
  });
  const actions: Record<BailianAction, DataCenterAction> = {
    ...dataCenterActions,
    ...createIndexActions({
      state,
      fileStatus: (file, nowMs) => fileStatus(file, nowMs, options.parseSchedule),
      schedule: options.indexJobSchedule,
    }),
  };
  const indexJobStatusPerMinute = options.indexJobStatusPerMinute ?? 20;

  function sendJson(exchange: Exchange, status: number, body: Record<string, unknown>, headers = {}): void {
    const text = JSON.stringify(body);
    exchange.response.writeHead(status, {
      'content-type': 'application/json;charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-acs-request-id': String(body.RequestId),
      ...headers,
    });
    exchange.response.end(text);
  }

  function sendError(exchange: Exchange, requestId: string, error: BailianApiError): void {
    const body: Record<string, unknown> =
      error.source === 'gateway'
        ? {
            RequestId: requestId,
            HostId: exchange.request.headers.host ?? '',
            Code: error.code,
            Message: error.message,
            Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=bailian`,
          }
        : {
            RequestId: requestId,
            Success: false,
            Code: error.code,
            Message: error.message,
            Status: String(error.status),
          };
    sendJson(exchange, error.status, body, error.headers);
  }

  async function handleApi(exchange: Exchange, requestId: string): Promise<void> {
    const { request, url } = exchange;
    const route = BAILIAN_API_ROUTES.find((candidate) => candidate.action === exchange.route);
    const match = route?.pattern.exec(url.pathname);
    const { body, isTooLarge } = await readSmallBody(request);
    if (!route || !match || request.method !== route.method) {
      throw new BailianApiError(
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
        {
          source: 'gateway',
        },
      );
    }
    if (isTooLarge) throw new BailianApiError(413, 'InvalidParameter', 'The request body is too large.');
    // Every value as UTF-8 text, the signature's own reading (spec §4 step 7: utf8(CanonicalRequest)).
    const headers = headerTexts(request);
    if (headers['x-acs-action']?.[0] !== route.action) {
      throw new BailianApiError(
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
        {
          source: 'gateway',
        },
      );
    }
    if (headers['x-acs-version']?.[0] !== API_VERSION) {
      throw new BailianApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.', {
        source: 'gateway',
      });
    }
    const rawTarget = request.url ?? url.pathname;
    const queryStart = rawTarget.indexOf('?');
    const signed: Acs3Request = {
      method: route.method,
      path: queryStart === -1 ? rawTarget : rawTarget.slice(0, queryStart),
      query: queryStart === -1 ? '' : rawTarget.slice(queryStart + 1),
      headers,
      bodySha256: sha256Hex(body),
    };
    const verification = verifier.verify(signed);
    if (!verification.ok) {
      const { status, code, message } = verification.rejection;
      throw new BailianApiError(status, code, message, { source: 'gateway' });
    }
    const { account } = verification.owner;
    exchange.setAccount(account.name);

    let workspaceId: string;
    let resourceId: string;
    try {
      workspaceId = decodeURIComponent(match[1] ?? '');
      resourceId = decodeURIComponent(match[2] ?? '');
    } catch {
      throw BailianApiError.invalidParameter('WorkspaceId');
    }
    if (workspaceId !== account.workspaceId) {
      throw new BailianApiError(403, 'Index.NoWorkspacePermissions', UNKNOWN_WORKSPACE_MESSAGE);
    }
    const limit = rateLimits[route.action];
    if (limit !== undefined && !context.withinQuota(`bailian:${account.name}:${route.action}`, limit, 1000)) {
      throw new BailianApiError(429, 'DataCenter.Throttling', 'Requests throttling triggered.', {
        headers: { 'x-acs-retry-after': '1000' },
      });
    }
    if (
      route.action === 'GetIndexJobStatus' &&
      !context.withinQuota(
        `bailian:${account.name}:GetIndexJobStatus:minute`,
        indexJobStatusPerMinute,
        60_000,
      )
    ) {
      throw new BailianApiError(429, 'Throttling.User', 'Request was denied due to user flow control.', {
        source: 'gateway',
        headers: { 'x-acs-retry-after': '60000' },
      });
    }
    const params = requestParams(route, signed.query, body, headers['content-type']?.[0]);
    const result = actions[route.action]({
      caller: verification.owner,
      workspaceId,
      resourceId,
      params,
      nowMs: context.clock.now(),
      ...(exchange.fault?.type === 'safeCheckFailed'
        ? { safeCheckFailure: exchange.fault.message ?? SAFE_CHECK_FAILED_MESSAGE }
        : {}),
    });
    sendJson(exchange, 200, {
      RequestId: requestId,
      Success: true,
      Code: 'Success',
      Message: '',
      Status: '200',
      ...result,
    });
  }

  const surface: BailianSurface = {
    sendError(exchange, error) {
      if (exchange.route === BAILIAN_UPLOAD_ROUTE) {
        sendOssError(
          exchange.request,
          exchange.response,
          error.status,
          error.code,
          error.message,
          {},
          error.headers,
        );
        return;
      }
      const isGateway = documentedErrors.bailian[error.code]?.isGateway ?? false;
      const requestId = randomUUID().toUpperCase();
      if (error.status === 200) {
        sendJson(
          exchange,
          200,
          { RequestId: requestId, Success: false, Code: error.code, Message: error.message, Status: '200' },
          error.headers,
        );
        return;
      }
      sendError(
        exchange,
        requestId,
        new BailianApiError(error.status, error.code, error.message, {
          source: isGateway ? 'gateway' : 'service',
          headers: { ...error.headers },
        }),
      );
    },

    name: 'bailian',
    state,

    match: matchBailianRoute,

    async handle(exchange) {
      if (exchange.route === BAILIAN_UPLOAD_ROUTE) {
        await handleLeaseUpload(exchange.request, exchange.response, exchange.url, {
          now: () => context.clock.now(),
          objectsDir,
          signingKey,
          leaseForKey: (key) => leasesByKey.get(key),
          onLease: (lease) => exchange.setAccount(lease.accountName),
          saveObject: (object) => state.objects.set(object.key, object),
          requireContentLength: options.requireContentLength ?? false,
        });
        return;
      }
      const requestId = randomUUID().toUpperCase();
      try {
        await handleApi(exchange, requestId);
      } catch (error) {
        if (!exchange.request.readableEnded) exchange.request.resume();
        if (exchange.response.headersSent) {
          exchange.response.destroy();
          return;
        }
        const apiError =
          error instanceof BailianApiError
            ? error
            : new BailianApiError(
                500,
                'InternalError',
                'The request processing has failed due to some unknown error.',
              );
        sendError(exchange, requestId, apiError);
      }
    },
  };
  return surface;
}
