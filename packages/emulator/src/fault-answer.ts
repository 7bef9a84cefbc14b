import { documentedError, errorFamily, errorForStatus } from './documented-errors.js';
import type { ErrorFault, StatusFault, SuccessFalseFault } from './fault-plan.js';
import type { SurfaceError } from './surface.js';

/**
 * The error answer of a `status`, `error` or `successFalse` fault on a route: status, code and message as the route's
 * own service would send them, and the wait for a 429 or when the fault sets `retryAfterSeconds`: `Retry-After` in
 * seconds, or on Bailian `x-acs-retry-after` in milliseconds instead, the header the official SDK reads a throttle's
 * wait from (specs/bailian-data-api.md §7).
 *
 * @example
 * ```ts
 * faultAnswer({ type: 'error', code: 'Arrearage' }, 'files.upload')
 * // { status: 400, code: 'Arrearage', message: 'Access denied, please make sure ...', headers: {} }
 * ```
 */
export function faultAnswer(
  fault: StatusFault | ErrorFault | SuccessFalseFault,
  route: string,
): SurfaceError {
  const family = errorFamily(route);
  let status: number;
  let code: string;
  let message: string;
  let retryAfterSeconds: number | undefined;
  switch (fault.type) {
    case 'status': {
      const defaults = errorForStatus(family, fault.status);
      status = fault.status;
      code = fault.code ?? defaults.code;
      message =
        fault.message ??
        (fault.code === undefined ? defaults.message : documentedError(family, fault.code)?.message) ??
        defaults.message;
      retryAfterSeconds = fault.retryAfterSeconds;
      break;
    }
    case 'error': {
      const documented = documentedError(family, fault.code);
      status = documented?.status ?? 500;
      code = fault.code;
      message = fault.message ?? documented?.message ?? 'Injected error';
      retryAfterSeconds = fault.retryAfterSeconds;
      break;
    }
    case 'successFalse':
      status = 200;
      code = fault.code ?? 'InternalError';
      message = fault.message ?? documentedError(family, code)?.message ?? 'The request has failed.';
      retryAfterSeconds = fault.retryAfterSeconds;
      break;
  }
  retryAfterSeconds ??= status === 429 ? 1 : undefined;
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) {
    // Bailian names the wait in its own header, in milliseconds, and only there (specs/bailian-data-api.md §7).
    if (family === 'bailian') headers['x-acs-retry-after'] = String(retryAfterSeconds * 1000);
    else headers['retry-after'] = String(retryAfterSeconds);
  }
  return { status, code, message, headers };
}
