import { UPLOAD_PATH_PREFIX } from './lease-upload.js';

/** The data-center actions this surface answers. */
export type BailianAction =
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

/** Route name of a request under `/{WorkspaceId}/datacenter/` that matches no action (answered with a 404). */
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
}

/** Exact ROA paths: trailing slashes matter. Group 1 is the workspace, group 2 the resource ID. */
export const BAILIAN_API_ROUTES: readonly BailianApiRoute[] = [
  {
    action: 'ApplyFileUploadLease',
    method: 'POST',
    pattern: /^\/([^/]+)\/datacenter\/category\/([^/]+)$/,
    paramsIn: 'form',
  },
  { action: 'AddFile', method: 'PUT', pattern: /^\/([^/]+)\/datacenter\/file$/, paramsIn: 'form' },
  {
    action: 'DescribeFile',
    method: 'GET',
    pattern: /^\/([^/]+)\/datacenter\/file\/([^/]+)\/$/,
    paramsIn: 'none',
  },
  { action: 'ListFile', method: 'GET', pattern: /^\/([^/]+)\/datacenter\/files$/, paramsIn: 'query' },
  {
    action: 'DeleteFile',
    method: 'DELETE',
    pattern: /^\/([^/]+)\/datacenter\/file\/([^/]+)\/$/,
    paramsIn: 'none',
  },
  {
    action: 'UpdateFileTag',
    method: 'PUT',
    pattern: /^\/([^/]+)\/datacenter\/file\/([^/]+)$/,
    paramsIn: 'form',
  },
  { action: 'AddCategory', method: 'POST', pattern: /^\/([^/]+)\/datacenter\/category\/$/, paramsIn: 'form' },
  {
    action: 'ListCategory',
    method: 'POST',
    pattern: /^\/([^/]+)\/datacenter\/categories$/,
    paramsIn: 'form',
  },
  {
    action: 'DeleteCategory',
    method: 'DELETE',
    pattern: /^\/([^/]+)\/datacenter\/category\/([^/]+)\/$/,
    paramsIn: 'none',
  },
];

/**
 * The route name of a request the Bailian surface answers: an action name, {@link BAILIAN_UPLOAD_ROUTE} for the
 * lease's PUT, {@link BAILIAN_UNKNOWN_ROUTE} for anything else under `/{WorkspaceId}/datacenter/`, or `undefined`
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
  if (segments[2] !== 'datacenter' || segments[1] === '') return undefined;
  const route = BAILIAN_API_ROUTES.find(
    (candidate) => candidate.method === method && candidate.pattern.test(url.pathname),
  );
  return route?.action ?? BAILIAN_UNKNOWN_ROUTE;
}
