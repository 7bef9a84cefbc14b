import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@x/hash';
import type { EmulatorAccount, SurfaceContext } from '../surface.js';
import { BailianApiError } from './bailian-api-error.js';
import type { BailianAction } from './bailian-routes.js';
import {
  type BailianCategory,
  type BailianCategoryType,
  type BailianFile,
  type BailianFileStatus,
  type BailianLease,
  type BailianParseSchedule,
  type BailianState,
  fileStatus,
} from './bailian-state.js';
import { fileExtension, leaseContentType } from './document-sniffer.js';
import type { BailianIndexAction } from './index-actions.js';
import { presignUploadUrl, type UploadSigningKey } from './lease-upload.js';

const PARSERS = new Set([
  'DASHSCOPE_DOCMIND',
  'DOCMIND',
  'DOCMIND_DIGITAL',
  'DOCMIND_LLM_VERSION',
  'DASH_QWEN_VL_PARSER',
  'DOCMIND_LLM_VERSION_MEDIA',
  'AUTO_SELECT',
]);
const TAG_PATTERN = /^[\p{L}\p{N}_-]{1,32}$/u;
const MAX_TAG_CHARACTERS = 700;
const UPLOAD_FAILED_MESSAGE =
  'Access to your uploaded file failed. Please check if your upload action was successful';
const UNKNOWN_CATEGORY_MESSAGE = 'Cant find out category for category_id param.';

/** Whoever signed a request: an account, directly or through STS credentials. */
export interface Caller {
  /** The account the AccessKey (or STS credential) belongs to. */
  readonly account: EmulatorAccount;
}

/** One verified API call. */
export interface ApiCall {
  /** Who signed it. */
  readonly caller: Caller;
  /** Workspace of the path, decoded. */
  readonly workspaceId: string;
  /** File or category ID of the path, decoded (`""` when the path has none). */
  readonly resourceId: string;
  /** Form or query parameters, as the action declares them. */
  readonly params: URLSearchParams;
  /** Emulated time of the call. */
  readonly nowMs: number;
  /**
   * Set by a `safeCheckFailed` fault on AddFile: the document it creates fails the content safety check, with this
   * message.
   */
  readonly safeCheckFailure?: string;
}

/** Limits the actions enforce, resolved from the surface options. */
export interface DataCenterLimits {
  /** Lifetime of a pre-signed PUT URL. */
  readonly uploadUrlTtlMs: number;
  /** How long a lease and its uploaded bytes wait for AddFile. */
  readonly leaseTtlMs: number;
  /** Largest file a lease is granted for. */
  readonly maxFileSizeBytes: number;
  /** Categories per workspace. */
  readonly maxCategories: number;
  /** Tags per file. */
  readonly maxTags: number;
  /** Parse-state schedule. */
  readonly parseSchedule: BailianParseSchedule | undefined;
  /** The JSON form of `Data.Param.Headers` in ApplyFileUploadLease answers. */
  readonly leaseHeaders: 'object' | 'string' | 'alternate';
}

/** What the data-center actions work on. */
export interface DataCenterDependencies {
  /** The core's context (clock, origin). */
  readonly context: SurfaceContext;
  /** The surface's state, which the actions change. */
  readonly state: BailianState;
  /** Leases by object key, for the PUT endpoint. */
  readonly leasesByKey: Map<string, BailianLease>;
  /** The next creation sequence number (orders listings and page tokens). */
  readonly nextSequence: () => number;
  /** The key lease URLs are signed with. */
  readonly signingKey: UploadSigningKey;
  /** Limits. */
  readonly limits: DataCenterLimits;
}

/** Answers one verified call with the fields merged into the success envelope (`Data`, sometimes `Code`/`Success`). */
export type DataCenterAction = (call: ApiCall) => Record<string, unknown>;

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A stable 16-digit account UID (what `X-bailian-extra` carries, base64-encoded). */
function accountUid(account: EmulatorAccount): string {
  return `1${BigInt(`0x${sha256Hex(account.name).slice(0, 15)}`)
    .toString()
    .padStart(15, '0')
    .slice(-15)}`;
}

/** A stable 8-digit number per workspace, the suffix of file and category IDs. */
function workspaceNumber(workspaceId: string): string {
  return String(10_000_000 + (Number.parseInt(sha256Hex(workspaceId).slice(0, 8), 16) % 90_000_000));
}

/** `yyyy-MM-dd HH:mm:ss` in UTC+8, as the data center writes times. */
function chinaTime(epochMs: number): string {
  return new Date(epochMs + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * `Data.Param.Headers` as seed 000's only example sends it: a string holding a `"name": "value"` fragment, one header
 * a line, each indented by eight spaces, without the braces.
 */
function headersFragment(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `        ${JSON.stringify(name)}: ${JSON.stringify(value)}`)
    .join(',\n');
}

function requireParam(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value.trim() === '') throw BailianApiError.invalidParameter(name);
  return value;
}

function parseCategoryType(params: URLSearchParams, name = 'CategoryType'): BailianCategoryType {
  const value = params.get(name);
  if (value === null || value === '') return 'UNSTRUCTURED';
  if (value === 'UNSTRUCTURED' || value === 'SESSION_FILE') return value;
  throw BailianApiError.invalidParameter(name);
}

function parseJson(value: string, name: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw BailianApiError.invalidParameter(name);
  }
}

function parseMaxResults(value: string | null): number {
  const parsed = value === null ? Number.NaN : Number.parseInt(value, 10);
  if (Number.isNaN(parsed) || parsed < 1) return 20;
  return Math.min(parsed, 200);
}

function pageToken(sequence: number): string {
  return Buffer.from(`seq:${sequence}`).toString('base64');
}

function parsePageToken(token: string | null): number {
  if (token === null || token === '') return 0;
  const match = /^seq:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match?.[1]) throw BailianApiError.invalidParameter('NextToken');
  return Number(match[1]);
}

/**
 * Creates the nine data-center actions over the surface's state. Each throws {@link BailianApiError} for the
 * service's error answers.
 *
 * @example
 * ```ts
 * const actions = createDataCenterActions({ context, state, leasesByKey, nextSequence, signingKey, limits });
 * const result = actions.DescribeFile(call); // { Data: { FileId, Status, ... } }
 * ```
 */
export function createDataCenterActions(
  dependencies: DataCenterDependencies,
): Record<Exclude<BailianAction, BailianIndexAction>, DataCenterAction> {
  const { context, state, leasesByKey, signingKey, limits } = dependencies;
  const { uploadUrlTtlMs, leaseTtlMs, maxFileSizeBytes, maxCategories, maxTags } = limits;
  let leaseCount = 0;

  function defaultCategory(workspaceId: string): BailianCategory | undefined {
    for (const category of state.categories.values()) {
      if (category.workspaceId === workspaceId && category.isDefault) return category;
    }
    return undefined;
  }

  function findCategory(workspaceId: string, categoryId: string): BailianCategory {
    const category =
      categoryId === 'default' ? defaultCategory(workspaceId) : state.categories.get(categoryId);
    if (!category || category.workspaceId !== workspaceId) {
      throw new BailianApiError(400, 'InvalidParameter', UNKNOWN_CATEGORY_MESSAGE);
    }
    return category;
  }

  function findFile(call: ApiCall): BailianFile {
    const file = state.files.get(call.resourceId);
    if (!file || file.workspaceId !== call.workspaceId) throw BailianApiError.invalidParameter('FileId');
    return file;
  }

  function parseTags(value: string | null): readonly string[] {
    if (value === null || value === '') return [];
    const tags = parseJson(value, 'Tags');
    if (
      !Array.isArray(tags) ||
      tags.length > maxTags ||
      !tags.every((tag): tag is string => typeof tag === 'string' && TAG_PATTERN.test(tag)) ||
      tags.join('').length > MAX_TAG_CHARACTERS
    ) {
      throw BailianApiError.invalidParameter('Tags');
    }
    return tags;
  }

  function statusOf(file: BailianFile, nowMs: number): BailianFileStatus {
    return fileStatus(file, nowMs, limits.parseSchedule);
  }

  function describe(file: BailianFile, nowMs: number): Record<string, unknown> {
    const status = statusOf(file, nowMs);
    return {
      CategoryId: file.categoryId,
      CreateTime: chinaTime(file.createdAtMs),
      FileId: file.fileId,
      FileName: file.fileName,
      FileType: file.fileType,
      Parser: file.parser,
      SizeInBytes: file.sizeBytes,
      Status: status,
      Tags: file.tags,
      ...(status === 'PARSE_FAILED' || status === 'SAFE_CHECK_FAILED' || status === 'INDEX_BUILDING_FAILED'
        ? { ParseErrorMessage: file.safeCheckFailure ?? file.parseErrorMessage }
        : {}),
    };
  }

  return {
    ApplyFileUploadLease(call) {
      const category = findCategory(call.workspaceId, call.resourceId);
      const categoryType = parseCategoryType(call.params);
      if (categoryType === 'SESSION_FILE' && !category.isDefault)
        throw BailianApiError.invalidParameter('CategoryId');
      const fileName = requireParam(call.params, 'FileName');
      if ([...fileName].length < 4 || [...fileName].length > 128 || fileExtension(fileName) === '') {
        throw BailianApiError.invalidParameter('FileName');
      }
      const md5 = requireParam(call.params, 'Md5');
      if (!/^[0-9a-fA-F]{32}$/.test(md5)) throw BailianApiError.invalidParameter('Md5');
      const sizeText = requireParam(call.params, 'SizeInBytes');
      if (!/^\d+$/.test(sizeText) || Number(sizeText) < 1)
        throw BailianApiError.invalidParameter('SizeInBytes');
      const sizeBytes = Number(sizeText);
      if (sizeBytes > maxFileSizeBytes) {
        throw new BailianApiError(
          400,
          'DataCenter.FileTooLarge',
          `The file is too large: ${sizeBytes} bytes, at most ${maxFileSizeBytes} bytes are allowed.`,
        );
      }
      const internal = call.params.get('UseInternalEndpoint');
      if (internal !== null && internal !== 'false')
        throw BailianApiError.invalidParameter('UseInternalEndpoint');

      const leaseId = `${randomHex(16)}.${call.nowMs}`;
      const extension = fileExtension(fileName);
      const objectKey = `${accountUid(call.caller.account)}/${call.workspaceId}/${leaseId}${
        /^[a-z0-9]{1,10}$/.test(extension) ? `.${extension}` : ''
      }`;
      const contentType = leaseContentType(fileName);
      const urlExpiresAtMs = call.nowMs + uploadUrlTtlMs;
      const lease: BailianLease = {
        leaseId,
        accountName: call.caller.account.name,
        workspaceId: call.workspaceId,
        categoryId: category.categoryId,
        categoryType,
        fileName,
        md5: md5.toLowerCase(),
        sizeBytes,
        objectKey,
        url: presignUploadUrl(
          context.baseUrl(),
          objectKey,
          contentType,
          Math.floor(urlExpiresAtMs / 1000),
          signingKey,
        ),
        headers: {
          'X-bailian-extra': Buffer.from(accountUid(call.caller.account)).toString('base64'),
          'Content-Type': contentType,
        },
        createdAtMs: call.nowMs,
        urlExpiresAtMs,
      };
      state.leases.set(leaseId, lease);
      leasesByKey.set(objectKey, lease);
      const isString =
        limits.leaseHeaders === 'string' || (limits.leaseHeaders === 'alternate' && leaseCount % 2 === 0);
      leaseCount += 1;
      return {
        Code: 'success',
        Data: {
          FileUploadLeaseId: leaseId,
          Type: 'HTTP',
          Param: {
            Method: 'PUT',
            Url: lease.url,
            Headers: isString ? headersFragment(lease.headers) : lease.headers,
          },
        },
      };
    },

    AddFile(call) {
      const leaseId = requireParam(call.params, 'LeaseId');
      const parser = requireParam(call.params, 'Parser');
      if (!PARSERS.has(parser)) throw BailianApiError.invalidParameter('Parser');
      const category = findCategory(call.workspaceId, requireParam(call.params, 'CategoryId'));
      const categoryType = parseCategoryType(call.params);
      const tags = parseTags(call.params.get('Tags'));
      const parserConfig = call.params.get('ParserConfig');
      if (parserConfig !== null && parserConfig !== '') {
        const config = parseJson(parserConfig, 'ParserConfig');
        const isValid =
          typeof config === 'object' &&
          config !== null &&
          !Array.isArray(config) &&
          Object.entries(config).every(
            ([key, value]) => (key === 'ModelName' || key === 'ModelPrompt') && typeof value === 'string',
          );
        if (!isValid) throw BailianApiError.invalidParameter('ParserConfig');
      }
      const lease = state.leases.get(leaseId);
      if (!lease || lease.workspaceId !== call.workspaceId || lease.consumedAtMs !== undefined) {
        throw BailianApiError.invalidParameter('LeaseId');
      }
      if (lease.categoryType !== categoryType) throw BailianApiError.invalidParameter('CategoryType');
      if (categoryType === 'SESSION_FILE' && !category.isDefault)
        throw BailianApiError.invalidParameter('CategoryId');
      const object = state.objects.get(lease.objectKey);
      const isUsable =
        call.nowMs - lease.createdAtMs <= leaseTtlMs &&
        object !== undefined &&
        call.nowMs - object.uploadedAtMs <= leaseTtlMs &&
        object.md5 === lease.md5 &&
        object.sizeBytes === lease.sizeBytes;
      if (!object || !isUsable) throw new BailianApiError(400, 'InvalidParameter', UPLOAD_FAILED_MESSAGE);

      lease.consumedAtMs = call.nowMs;
      const fileId = `file_${randomHex(16)}_${workspaceNumber(call.workspaceId)}`;
      const originalFileUrl = call.params.get('OriginalFileUrl');
      const file: BailianFile = {
        fileId,
        accountName: call.caller.account.name,
        workspaceId: call.workspaceId,
        categoryId: category.categoryId,
        categoryType,
        fileName: lease.fileName,
        fileType: fileExtension(lease.fileName),
        parser,
        sizeBytes: object.sizeBytes,
        tags,
        createdAtMs: call.nowMs,
        sequence: dependencies.nextSequence(),
        ...(originalFileUrl ? { originalFileUrl } : {}),
        ...(object.parseErrorMessage === undefined ? {} : { parseErrorMessage: object.parseErrorMessage }),
        ...(call.safeCheckFailure === undefined ? {} : { safeCheckFailure: call.safeCheckFailure }),
      };
      state.files.set(fileId, file);
      return { Success: 'true', Data: { FileId: fileId, Parser: parser } };
    },

    DescribeFile(call) {
      return { Data: describe(findFile(call), call.nowMs) };
    },

    ListFile(call) {
      const category = findCategory(call.workspaceId, requireParam(call.params, 'CategoryId'));
      const maxResults = parseMaxResults(call.params.get('MaxResults'));
      const after = parsePageToken(call.params.get('NextToken'));
      const fileName = call.params.get('FileName');
      const fileIdsText = call.params.get('FileIds');
      let fileIds: Set<string> | undefined;
      if (fileIdsText !== null && fileIdsText !== '') {
        const ids = parseJson(fileIdsText, 'FileIds');
        if (!Array.isArray(ids) || ids.length > 20 || !ids.every((id) => typeof id === 'string')) {
          throw BailianApiError.invalidParameter('FileIds');
        }
        fileIds = new Set(ids);
      }
      const matching = [...state.files.values()].filter((file) => {
        if (file.workspaceId !== call.workspaceId || file.categoryId !== category.categoryId) return false;
        if (fileIds && !fileIds.has(file.fileId)) return false;
        if (fileName !== null && fileName !== '') {
          const extension = fileExtension(file.fileName);
          const stem = extension === '' ? file.fileName : file.fileName.slice(0, -extension.length - 1);
          if (stem !== fileName) return false;
        }
        return true;
      });
      const page = matching.filter((file) => file.sequence >= after).slice(0, maxResults + 1);
      const hasNext = page.length > maxResults;
      const listed = page.slice(0, maxResults);
      const next = hasNext ? page[maxResults] : undefined;
      return {
        Data: {
          FileList: listed.map((file) => ({ ParseErrorMessage: '', ...describe(file, call.nowMs) })),
          HasNext: hasNext,
          MaxResults: maxResults,
          NextToken: next ? pageToken(next.sequence) : '',
          TotalCount: matching.length,
        },
      };
    },

    DeleteFile(call) {
      const file = findFile(call);
      const status = statusOf(file, call.nowMs);
      if (
        status === 'IN_PARSE_QUEUE' ||
        status === 'PARSING' ||
        status === 'SAFE_CHECKING' ||
        status === 'INDEX_BUILDING' ||
        status === 'INDEX_BUILD_SUCCESS'
      ) {
        throw new BailianApiError(400, 'InvalidParameter', 'Current file status does not support delete.');
      }
      state.files.delete(file.fileId);
      return { Data: { FileId: file.fileId } };
    },

    UpdateFileTag(call) {
      const file = findFile(call);
      const tagsText = call.params.get('Tags');
      file.tags = parseTags(tagsText === null ? '[]' : tagsText);
      return { Data: { FileId: file.fileId } };
    },

    AddCategory(call) {
      const categoryName = requireParam(call.params, 'CategoryName');
      if ([...categoryName].length > 50) throw BailianApiError.invalidParameter('CategoryName');
      if (requireParam(call.params, 'CategoryType') !== 'UNSTRUCTURED') {
        throw BailianApiError.invalidParameter('CategoryType');
      }
      const parentId = call.params.get('ParentCategoryId');
      const parent = parentId ? findCategory(call.workspaceId, parentId) : undefined;
      const count = [...state.categories.values()].filter(
        (item) => item.workspaceId === call.workspaceId,
      ).length;
      if (count >= maxCategories) {
        throw new BailianApiError(
          400,
          'InvalidParameter',
          `The workspace already holds ${count} categories, the most it may hold.`,
        );
      }
      const category: BailianCategory = {
        categoryId: `cate_${randomHex(16)}_${workspaceNumber(call.workspaceId)}`,
        categoryName,
        categoryType: 'UNSTRUCTURED',
        workspaceId: call.workspaceId,
        isDefault: false,
        sequence: dependencies.nextSequence(),
        ...(parent ? { parentCategoryId: parent.categoryId } : {}),
      };
      state.categories.set(category.categoryId, category);
      return { Data: { CategoryId: category.categoryId, CategoryName: categoryName } };
    },

    ListCategory(call) {
      const categoryType = parseCategoryType(call.params);
      const maxResults = parseMaxResults(call.params.get('MaxResults'));
      const after = parsePageToken(call.params.get('NextToken'));
      const name = call.params.get('CategoryName');
      const parentId = call.params.get('ParentCategoryId');
      const parent = parentId ? findCategory(call.workspaceId, parentId) : undefined;
      const matching = [...state.categories.values()].filter(
        (category) =>
          category.workspaceId === call.workspaceId &&
          category.categoryType === categoryType &&
          (!name || category.categoryName === name) &&
          (!parent || category.parentCategoryId === parent.categoryId),
      );
      const page = matching.filter((category) => category.sequence >= after).slice(0, maxResults + 1);
      const hasNext = page.length > maxResults;
      const next = hasNext ? page[maxResults] : undefined;
      return {
        Data: {
          CategoryList: page.slice(0, maxResults).map((category) => ({
            CategoryId: category.categoryId,
            CategoryName: category.categoryName,
            CategoryType: category.categoryType,
            IsDefault: category.isDefault,
            ParentCategoryId: category.parentCategoryId ?? '',
          })),
          HasNext: hasNext,
          MaxResults: maxResults,
          NextToken: next ? pageToken(next.sequence) : '',
          TotalCount: matching.length,
        },
      };
    },

    DeleteCategory(call) {
      const category = findCategory(call.workspaceId, call.resourceId);
      if (category.isDefault) {
        throw new BailianApiError(400, 'InvalidParameter', 'The default category cannot be deleted.');
      }
      const isUsed =
        [...state.files.values()].some((file) => file.categoryId === category.categoryId) ||
        [...state.categories.values()].some((child) => child.parentCategoryId === category.categoryId);
      if (isUsed) {
        throw new BailianApiError(
          400,
          'InvalidParameter',
          'The category still holds files or sub-categories and cannot be deleted.',
        );
      }
      state.categories.delete(category.categoryId);
      return { Data: { CategoryId: category.categoryId } };
    },
  };
}
