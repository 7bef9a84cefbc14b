import type { BailianIndexAction } from './index-actions.js';
import { UPLOAD_PATH_PREFIX } from './lease-upload.js';

/** The data-center and knowledge-base index actions this surface answers. */
export type BailianAction =
  | BailianIndexAction
  | 'ApplyFileUploadLease'
  | 'AddFile'
  | 'DescribeFile'
  | 'ListFile'
  | 'DeleteFile'
  | 'UpdateFileTag'
  | 'AddCategory'
  | 'ListCategory'
  | 'DeleteCategory';

/** Route name of the lease's pre-signed PUT endpoint (an OSS route: injected faults answer in OSS XML). */
export const BAILIAN_UPLOAD_ROUTE = 'oss.putObject';

/** Route name of a request under `/{WorkspaceId}/datacenter/` or `/{WorkspaceId}/index/` that matches no action (answered with a 404). */
export const BAILIAN_UNKNOWN_ROUTE = 'bailian.unknown';

/** One ROA action: method, exact path and where its parameters travel. */
export interface BailianApiRoute {
  /** The action, as in `x-acs-action`. */
  readonly action: BailianAction;
  /** HTTP method. */
  readonly method: string;
  /** Path pattern; group 1 is the workspace, group 2 (when present) the file or category ID. */
  readonly pattern: RegExp;
  /** Where the parameters are: a form body, the query string, or nowhere. */
  readonly paramsIn: 'form' | 'query' | 'none';
  /** Every parameter the action takes, by its wire name (spec §3 table, the official SDK 2.12.0); others are refused. */
  readonly params: readonly string[];
}

const CREATE_INDEX_PARAMS = [
  'CategoryIds',
  'ChunkSize',
  'Columns',
  'CreateIndexType',
  'Description',
  'DocumentIds',
  'EmbeddingModelName',
  'EnableRewrite',
  'Name',
  'OverlapSize',
  'RerankInstruct',
  'RerankMinScore',
  'RerankMode',
  'RerankModelName',
  'Separator',
  'SinkInstanceId',
  'SinkRegion',
  'SinkType',
  'SourceType',
  'StructureType',
  'TableIds',
  'channelType',
  'chunkMode',
  'connectId',
  'database',
  'datasourceCode',
  'enableHeaders',
  'knowledgeScene',
  'knowledgeType',
  'metaExtractColumns',
  'pipelineCommercialCu',
  'pipelineCommercialType',
  'pipelineRetrieveRateLimitStrategy',
  'table',
];

/** Exact ROA paths: trailing slashes matter. Group 1 is the workspace, group 2 the resource ID. */
export const BAILIAN_API_ROUTES: readonly BailianApiRoute[] = [
  {
    action: 'ApplyFileUploadLease',
    method: 'POST',
    pattern: /^\/([^/]+)\/datacenter\/category\/([^/]+)$/,
    paramsIn: 'form',
    params: ['CategoryType', 'FileName', 'Md5', 'SizeInBytes', 'UseInternalEndpoint'],
  },
  {
    action: 'AddFile',
    method: 'PUT',
    pattern: /^\/([^/]+)\/datacenter\/file$/,
    paramsIn: 'form',
    params: ['CategoryId', 'CategoryType', 'LeaseId', 'OriginalFileUrl', 'Parser', 'ParserConfig', 'Tags'],
  },
  {
    action: 'DescribeFile',
    method: 'GET',
    pattern: /^\/([^/]+)\/datacenter\/file\/([^/]+)\/$/,
    paramsIn: 'none',
    params: [],
  },
  {
    action: 'ListFile',
    method: 'GET',
    pattern: /^\/([^/]+)\/datacenter\/files$/,
    paramsIn: 'query',
    params: ['CategoryId', 'FileIds', 'FileName', 'MaxResults', 'NextToken'],
  },
  {
    action: 'DeleteFile',
    method: 'DELETE',
    pattern: /^\/([^/]+)\/datacenter\/file\/([^/]+)\/$/,
    paramsIn: 'none',
    params: [],
  },
  {
    action: 'UpdateFileTag',
    method: 'PUT',
    pattern: /^\/([^/]+)\/datacenter\/file\/([^/]+)$/,
    paramsIn: 'form',
    params: ['Tags'],
  },
  {
    action: 'AddCategory',
    method: 'POST',
    pattern: /^\/([^/]+)\/datacenter\/category\/$/,
    paramsIn: 'form',
    params: ['CategoryName', 'CategoryType', 'ConnectorId', 'ParentCategoryId'],
  },
  {
    action: 'ListCategory',
    method: 'POST',
    pattern: /^\/([^/]+)\/datacenter\/categories$/,
    paramsIn: 'form',
    params: ['CategoryName', 'CategoryType', 'ConnectorId', 'MaxResults', 'NextToken', 'ParentCategoryId'],
  },
  {
    action: 'DeleteCategory',
    method: 'DELETE',
    pattern: /^\/([^/]+)\/datacenter\/category\/([^/]+)\/$/,
    paramsIn: 'none',
    params: [],
  },
  {
    action: 'CreateIndex',
    method: 'POST',
    pattern: /^\/([^/]+)\/index\/create$/,
    paramsIn: 'query',
    params: CREATE_INDEX_PARAMS,
  },
  {
    action: 'SubmitIndexJob',
    method: 'POST',
    pattern: /^\/([^/]+)\/index\/submit_index_job$/,
    paramsIn: 'query',
    params: ['IndexId'],
  },
  {
    action: 'SubmitIndexAddDocumentsJob',
    method: 'POST',
    pattern: /^\/([^/]+)\/index\/add_documents_to_index$/,
    paramsIn: 'query',
    params: [
      'CategoryIds',
      'ChunkMode',
      'ChunkSize',
      'DocumentIds',
      'EnableHeaders',
      'Extra',
      'IndexId',
      'OverlapSize',
      'Separator',
      'SourceType',
    ],
  },
  {
    action: 'GetIndexJobStatus',
    method: 'GET',
    pattern: /^\/([^/]+)\/index\/job\/status$/,
    paramsIn: 'query',
    params: ['IndexId', 'JobId', 'PageNumber', 'pageSize'],
  },
  {
    action: 'ListIndices',
    method: 'GET',
    pattern: /^\/([^/]+)\/index\/list_indices$/,
    paramsIn: 'query',
    params: ['IndexName', 'PageNumber', 'PageSize'],
  },
  {
    action: 'DeleteIndex',
    method: 'POST',
    pattern: /^\/([^/]+)\/index\/delete$/,
    paramsIn: 'query',
    params: ['IndexId'],
  },
  {
    action: 'ListIndexDocuments',
    method: 'GET',
    pattern: /^\/([^/]+)\/index\/list_index_documents$/,
    paramsIn: 'query',
    params: ['DocumentName', 'DocumentStatus', 'EnableNameLike', 'IndexId', 'PageNumber', 'PageSize'],
  },
  {
    action: 'DeleteIndexDocument',
    method: 'POST',
    pattern: /^\/([^/]+)\/index\/delete_index_document$/,
    paramsIn: 'query',
    params: ['DocumentIds', 'IndexId'],
  },
];

/**
 * The route name of a request the Bailian surface answers: an action name, {@link BAILIAN_UPLOAD_ROUTE} for the
 * lease's PUT, {@link BAILIAN_UNKNOWN_ROUTE} for anything else under `/{WorkspaceId}/datacenter/` or
 * `/{WorkspaceId}/index/`, or `undefined`
 * when the request belongs to another surface.
 *
 * @example
 * ```ts
 * matchBailianRoute('GET', new URL('http://h/llm-x/datacenter/file/file_1/')); // 'DescribeFile'
 * matchBailianRoute('GET', new URL('http://h/llm-x/datacenter/file/file_1')); // 'bailian.unknown'
 * ```
 */
export function matchBailianRoute(method: string, url: URL): string | undefined {
  if (url.pathname.startsWith(UPLOAD_PATH_PREFIX)) return BAILIAN_UPLOAD_ROUTE;
  const segments = url.pathname.split('/');
  if ((segments[2] !== 'datacenter' && segments[2] !== 'index') || segments[1] === '') return undefined;
  const route = BAILIAN_API_ROUTES.find(
    (candidate) => candidate.method === method && candidate.pattern.test(url.pathname),
  );
  return route?.action ?? BAILIAN_UNKNOWN_ROUTE;
}
