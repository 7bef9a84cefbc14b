/**
 * The error codes the services document, by the format family that answers them, with the HTTP status and message
 * each is sent with. The fault plan reaches every one by name (`{ type: 'error', code: 'Arrearage' }`).
 *
 * Sources: seed 002 (getPolicy and OSS errors), specs/openai-files.md (Files API codes), specs/bailian-data-api.md §7
 * (Bailian codes and gateway codes), seed 000 FAQ (messages), specs/temp-oss-and-oss-signing.md (OSS codes).
 */

/** Who answers, and so in which format: the DashScope API, the Files API, the Bailian data API, or OSS. */
export type ErrorFamily = 'dashscope' | 'files' | 'bailian' | 'oss';

/** One documented error: the HTTP status it comes with and the service's message. */
export interface DocumentedError {
  /** HTTP status. */
  readonly status: number;
  /** The message the service sends. */
  readonly message: string;
  /** Bailian only: answered by the API gateway (`{RequestId, HostId, Code, Message, Recommend}`). */
  readonly isGateway?: boolean;
}

const throttled = 'Requests rate limit exceeded, please try again later.';
const invalidParameter = 'Required parameter missing or invalid, please check the request parameters.';
const bailianInvalidParameter =
  'Required parameter(%s) missing or invalid, please check the request parameters.';
const notAuthorized = 'User not authorized to operate on the specified resource.';

const modelStudio: Readonly<Record<string, DocumentedError>> = {
  InvalidParameter: { status: 400, message: invalidParameter },
  'InvalidParameter.DataInspection': {
    status: 400,
    message: 'The media format is not supported or incorrect for the data inspection.',
  },
  invalid_parameter_error: {
    status: 400,
    message:
      'InternalError.Algo.InvalidParameter: The provided URL does not appear to be valid. Ensure it is correctly formatted.',
  },
  Arrearage: { status: 400, message: 'Access denied, please make sure your account is in good standing.' },
  InvalidApiKey: { status: 401, message: 'Invalid API-key provided.' },
  AccessDenied: { status: 403, message: 'Access denied.' },
  NotFound: { status: 404, message: 'The requested resource was not found.' },
  Throttling: { status: 429, message: 'Requests throttling triggered.' },
  'Throttling.RateQuota': { status: 429, message: throttled },
  'Throttling.AllocationQuota': {
    status: 429,
    message: 'Allocated quota exceeded, please increase your quota limit.',
  },
  InternalError: { status: 500, message: 'An internal error occurred, please try again later.' },
  ServiceUnavailable: {
    status: 503,
    message: 'The service is temporarily unavailable, please try again later.',
  },
};

/** Every documented error code, by family. */
export const documentedErrors: Readonly<Record<ErrorFamily, Readonly<Record<string, DocumentedError>>>> = {
  dashscope: modelStudio,
  files: {
    ...modelStudio,
    MissingContentLength: {
      status: 411,
      message: 'A Content-Length header is required: chunked request bodies are refused.',
    },
  },
  bailian: {
    InvalidParameter: { status: 400, message: bailianInvalidParameter.replace('%s', 'unknown') },
    'DataCenter.FileTooLarge': { status: 400, message: 'The file is too large.' },
    'DataCenter.Throttling': { status: 429, message: 'Requests throttling triggered.' },
    'Index.InvalidParameter': { status: 400, message: bailianInvalidParameter.replace('%s', 'unknown') },
    'Index.Forbidden': { status: 403, message: notAuthorized },
    'Index.NoWorkspacePermissions': {
      status: 403,
      message: 'You are not authorized to access this workspace, or the workspace does not exist',
    },
    'Index.Document.ChunkError': { status: 400, message: 'document parse error' },
    Forbidden: { status: 403, message: notAuthorized },
    InternalError: { status: 500, message: 'The request processing has failed due to some unknown error.' },
    ServiceUnavailable: {
      status: 503,
      message: 'The request has failed due to a temporary failure of the server.',
    },
    'InvalidAccessKeyId.NotFound': {
      status: 404,
      message: 'The specified access key is not found or is invalid',
      isGateway: true,
    },
    SignatureDoesNotMatch: {
      status: 400,
      message: 'Specified signature does not match our calculation.',
      isGateway: true,
    },
    IncompleteSignature: {
      status: 400,
      message: 'The request signature does not conform to Aliyun standards.',
      isGateway: true,
    },
    'InvalidTimeStamp.Expired': {
      status: 400,
      message: 'Specified time stamp or date value is expired.',
      isGateway: true,
    },
    SignatureNonceUsed: {
      status: 400,
      message: 'Specified signature nonce was used already.',
      isGateway: true,
    },
    'InvalidSecurityToken.Expired': {
      status: 400,
      message: 'Specified SecurityToken is expired.',
      isGateway: true,
    },
    'InvalidAction.NotFound': {
      status: 404,
      message: 'Specified api is not found, please check your url and method.',
      isGateway: true,
    },
    'Throttling.User': {
      status: 429,
      message: 'Request was denied due to user flow control.',
      isGateway: true,
    },
  },
  oss: {
    AccessDenied: { status: 403, message: 'Invalid according to Policy: Policy expired.' },
    SignatureDoesNotMatch: {
      status: 403,
      message:
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    },
    InvalidAccessKeyId: {
      status: 403,
      message: 'The OSS Access Key Id you provided does not exist in our records.',
    },
    RequestTimeTooSkewed: {
      status: 403,
      message: 'The difference between the request time and the current time is too large.',
    },
    InvalidArgument: { status: 400, message: 'Invalid argument.' },
    InvalidPolicyDocument: { status: 400, message: 'Invalid Policy: Invalid Simple-Json format.' },
    MalformedPOSTRequest: {
      status: 400,
      message: 'The body of your POST request is not well-formed multipart/form-data.',
    },
    EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed size.' },
    EntityTooSmall: {
      status: 400,
      message: 'Your proposed upload is smaller than the minimum allowed size.',
    },
    NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.' },
    NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
    FileAlreadyExists: {
      status: 409,
      message: 'The object you specified already exists and can not be overwritten.',
    },
    MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
    InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
    ServiceUnavailable: { status: 503, message: 'Please reduce your request rate.' },
  },
};

/** The code a fault that names only an HTTP status carries, per family, so it looks like the service's own answer. */
const statusCodes: Readonly<Record<ErrorFamily, Readonly<Record<number, string>>>> = {
  dashscope: {
    400: 'InvalidParameter',
    401: 'InvalidApiKey',
    403: 'AccessDenied',
    404: 'NotFound',
    429: 'Throttling.RateQuota',
    500: 'InternalError',
    503: 'ServiceUnavailable',
  },
  files: {
    400: 'InvalidParameter',
    401: 'InvalidApiKey',
    403: 'AccessDenied',
    404: 'NotFound',
    411: 'MissingContentLength',
    429: 'Throttling.RateQuota',
    500: 'InternalError',
    503: 'ServiceUnavailable',
  },
  bailian: {
    400: 'InvalidParameter',
    403: 'Forbidden',
    404: 'InvalidAction.NotFound',
    429: 'DataCenter.Throttling',
    500: 'InternalError',
    503: 'ServiceUnavailable',
  },
  oss: {
    400: 'InvalidArgument',
    403: 'AccessDenied',
    404: 'NoSuchKey',
    409: 'FileAlreadyExists',
    411: 'MissingContentLength',
    500: 'InternalError',
    503: 'ServiceUnavailable',
  },
};

/**
 * The family whose format a route answers in, from the route's name: `oss.*` routes answer in OSS XML, `files.*` and
 * `batches.*` in the OpenAI envelope, `dashscope.*` in the DashScope body, Bailian actions (PascalCase) in the Bailian
 * envelope.
 */
export function errorFamily(route: string): ErrorFamily {
  if (route.startsWith('oss.')) return 'oss';
  if (route.startsWith('files.') || route.startsWith('batches.')) return 'files';
  if (route.startsWith('dashscope.')) return 'dashscope';
  return 'bailian';
}

/** Whether some family documents `code`. */
export function isDocumentedCode(code: string): boolean {
  return Object.values(documentedErrors).some((family) => Object.hasOwn(family, code));
}

/** The documented error of `code` for a family, else the first family that documents it. */
export function documentedError(family: ErrorFamily, code: string): DocumentedError | undefined {
  const own = documentedErrors[family];
  if (Object.hasOwn(own, code)) return own[code];
  for (const other of Object.values(documentedErrors)) if (Object.hasOwn(other, code)) return other[code];
  return undefined;
}

/** The code and message a family answers an HTTP status with (`Fault` and a generic message for other statuses). */
export function errorForStatus(family: ErrorFamily, status: number): { code: string; message: string } {
  const code = statusCodes[family][status];
  const documented = code === undefined ? undefined : documentedErrors[family][code];
  if (code === undefined || documented === undefined) {
    return { code: 'Fault', message: `Injected status ${status}` };
  }
  return { code, message: documented.message };
}
