import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  acs3,
  bearer,
  createTransport,
  formBody,
  HttpStatusError,
  resolveAccessKey,
  TransportError,
} from '@x/transport';
import type { CliContext } from '../cli-context.js';
import { ItemsFailedError } from '../cli-errors.js';
import type { CommandModule } from '../create-program.js';
import { type Endpoints, type Region, regions } from '../endpoints.js';

/** One finding of `mstudio doctor`. */
interface Check {
  readonly check: string;
  readonly status: 'ok' | 'warn' | 'fail' | 'skip';
  readonly detail: string;
  /** What to do about it, in words. */
  readonly fix?: string;
}

/** ACS3 requests whose `x-acs-date` is further than this from the service's clock are refused. */
const maxSkewMs = 15 * 60_000;

/**
 * `mstudio doctor`: what most often breaks a first real call, each with a fix in words: credentials and where they
 * came from (never a secret), endpoints, clock skew against the service's `Date` (ACS3 allows 15 minutes, spec
 * bailian-data-api.md), proxy settings, and whether the API key belongs to the endpoint's region.
 */
export const doctorCommand: CommandModule = (program, runtime) => {
  program
    .command('doctor')
    .description('check credentials, endpoints, clock, proxy and region before a first real call')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio doctor
  $ mstudio --region ap-southeast-1 doctor
  $ mstudio --json doctor | jq 'select(.status == "fail")'`,
    )
    .action(async (_options, command) => {
      const cli = runtime.context(command);
      const endpoints = cli.endpoints();
      const checks: Check[] = [];
      const report = (check: Check) => {
        checks.push(check);
        const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' }[check.status];
        cli.result(
          { ...check },
          `${mark}  ${check.check}: ${check.detail}${check.fix ? `\n      fix: ${check.fix}` : ''}`,
        );
      };
      report(endpointCheck(endpoints));
      report(proxyCheck(cli.env, endpoints));
      const apiKey = cli.env.DASHSCOPE_API_KEY?.trim();
      report(
        apiKey
          ? {
              check: 'DashScope API key',
              status: 'ok',
              detail: `found in DASHSCOPE_API_KEY (${apiKey.length} characters)`,
            }
          : {
              check: 'DashScope API key',
              status: 'fail',
              detail: 'DASHSCOPE_API_KEY is not set',
              fix: 'create a key in the Model Studio console (per region) and export DASHSCOPE_API_KEY=sk-...',
            },
      );
      const accessKey = await accessKeyCheck(cli.env);
      report(accessKey.check);
      const workspaceId = cli.env.BAILIAN_WORKSPACE_ID?.trim();
      report(
        workspaceId
          ? { check: 'Bailian workspace', status: 'ok', detail: `BAILIAN_WORKSPACE_ID=${workspaceId}` }
          : {
              check: 'Bailian workspace',
              status: 'warn',
              detail: 'BAILIAN_WORKSPACE_ID is not set (needed by knowledge-base commands)',
              fix: 'copy the workspace ID (llm-...) from the Model Studio console and export BAILIAN_WORKSPACE_ID',
            },
      );
      report(await clockCheck(cli, endpoints));
      if (apiKey) report(await apiKeyRegionCheck(cli, endpoints, apiKey));
      if (accessKey.isFound && workspaceId) report(await bailianCheck(cli, endpoints, workspaceId));
      const failed = checks.filter((check) => check.status === 'fail').length;
      cli.info(failed === 0 ? 'no problems found' : `${failed} problem(s) found`);
      if (failed > 0) throw new ItemsFailedError(failed, checks.length);
    });
};

function endpointCheck(endpoints: Endpoints): Check {
  const where = endpoints.isCustom
    ? `every surface at ${endpoints.dashscope} (from ${endpoints.source})`
    : `region ${endpoints.region} (from ${endpoints.source}): DashScope ${endpoints.dashscope}, Files API ${endpoints.compatible}, Bailian ${endpoints.bailian}`;
  return { check: 'endpoints', status: 'ok', detail: where };
}

/** Proxy variables as undici's EnvHttpProxyAgent reads them; credentials in a proxy URL are never shown. */
function proxyCheck(env: NodeJS.ProcessEnv, endpoints: Endpoints): Check {
  const read = (name: string) => env[name] ?? env[name.toLowerCase()];
  const httpsProxy = read('HTTPS_PROXY');
  const httpProxy = read('HTTP_PROXY');
  const noProxy = read('NO_PROXY');
  if (!httpsProxy && !httpProxy) {
    return { check: 'proxy', status: 'ok', detail: 'no HTTPS_PROXY / HTTP_PROXY: direct connections' };
  }
  const shown = [
    httpsProxy && `HTTPS_PROXY=${withoutUserInfo(httpsProxy)}`,
    httpProxy && `HTTP_PROXY=${withoutUserInfo(httpProxy)}`,
    noProxy && `NO_PROXY=${noProxy}`,
  ]
    .filter(Boolean)
    .join(', ');
  const host = new URL(endpoints.dashscope).hostname;
  const isLoopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  const bypassed = (noProxy ?? '').split(',').some((entry) => {
    const rule = entry.trim().replace(/^\*?\./, '');
    return rule === '*' || (rule !== '' && (host === rule || host.endsWith(`.${rule}`)));
  });
  if (isLoopback && !bypassed) {
    return {
      check: 'proxy',
      status: 'warn',
      detail: `${shown}; requests to ${host} go through the proxy`,
      fix: `add ${host} to NO_PROXY so the local emulator is reached directly`,
    };
  }
  return { check: 'proxy', status: 'ok', detail: shown };
}

function withoutUserInfo(value: string): string {
  try {
    const url = new URL(value);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    return url.href;
  } catch {
    return '(not a URL)';
  }
}

async function accessKeyCheck(env: NodeJS.ProcessEnv): Promise<{ check: Check; isFound: boolean }> {
  try {
    const credentials = await resolveAccessKey(undefined, env);
    const file =
      env.ALIBABA_CLOUD_CREDENTIALS_FILE?.trim() ||
      join(env.HOME || homedir(), '.alibabacloud', 'credentials');
    const source =
      credentials.providerName === 'default/env'
        ? 'ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET'
        : `${file} [${env.ALIBABA_CLOUD_PROFILE?.trim() || 'default'}]`;
    const kind = credentials.securityToken ? 'STS credentials' : 'an AccessKey pair';
    return {
      isFound: true,
      check: {
        check: 'Alibaba Cloud AccessKey',
        status: 'ok',
        detail: `${kind} (ID ${maskId(credentials.accessKeyId)}) from ${source}`,
      },
    };
  } catch (error) {
    return {
      isFound: false,
      check: {
        check: 'Alibaba Cloud AccessKey',
        status: 'warn',
        detail: `none found (needed by knowledge-base commands): ${(error as Error).message}`,
        fix: 'export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or write ~/.alibabacloud/credentials',
      },
    };
  }
}

function maskId(id: string): string {
  return id.length <= 8 ? `${id.slice(0, 2)}***` : `${id.slice(0, 4)}***${id.slice(-3)}`;
}

/** The local clock against the `Date` header of the DashScope endpoint. */
async function clockCheck(cli: CliContext, endpoints: Endpoints): Promise<Check> {
  const sentAtMs = Date.now();
  let response: Response;
  try {
    response = await fetch(endpoints.dashscope, {
      method: 'HEAD',
      signal: AbortSignal.any([cli.signal, AbortSignal.timeout(10_000)]),
    });
  } catch (error) {
    if (cli.signal.aborted) throw cli.signal.reason;
    return {
      check: 'clock',
      status: 'fail',
      detail: `cannot reach ${endpoints.dashscope}: ${(error as Error).cause ?? (error as Error).message}`,
      fix: 'check the network, the proxy variables above, and --endpoint / MSTUDIO_ENDPOINT',
    };
  }
  const receivedAtMs = Date.now();
  const date = response.headers.get('date');
  const serverMs = date === null ? Number.NaN : Date.parse(date);
  if (Number.isNaN(serverMs)) {
    return {
      check: 'clock',
      status: 'warn',
      detail: `${endpoints.dashscope} sent no Date header to compare with`,
    };
  }
  // The header has whole seconds: compare with the middle of the round trip, and allow that second.
  const skewMs = (sentAtMs + receivedAtMs) / 2 - serverMs;
  const skewSeconds = Math.round(skewMs / 1000);
  const detail = `local clock ${skewSeconds >= 0 ? 'ahead of' : 'behind'} the service by about ${Math.abs(skewSeconds)} s`;
  if (Math.abs(skewMs) > maxSkewMs) {
    return {
      check: 'clock',
      status: 'fail',
      detail: `${detail}; signed (ACS3) requests are refused beyond 15 minutes (InvalidTimeStamp.Expired)`,
      fix: 'turn on time sync (e.g. `timedatectl set-ntp true`) or correct the system clock',
    };
  }
  if (Math.abs(skewMs) > 60_000) {
    return {
      check: 'clock',
      status: 'warn',
      detail: `${detail}; under the 15-minute limit`,
      fix: 'turn on time sync',
    };
  }
  return { check: 'clock', status: 'ok', detail };
}

/** Lists one file with the key: 401 at this region's endpoint (and 200 at the other) means a key of another region. */
async function apiKeyRegionCheck(cli: CliContext, endpoints: Endpoints, apiKey: string): Promise<Check> {
  const accepted = await isKeyAccepted(cli, endpoints.compatible, apiKey);
  if (accepted === true) {
    return {
      check: 'API key region',
      status: 'ok',
      detail: `the key is accepted at ${endpoints.compatible}${endpoints.isCustom ? '' : ` (${endpoints.region})`}`,
    };
  }
  if (accepted instanceof Error) {
    return {
      check: 'API key region',
      status: 'fail',
      detail: `could not ask ${endpoints.compatible}: ${cli.describe(accepted)}`,
      fix: 'check the network and the endpoint',
    };
  }
  if (!endpoints.isCustom) {
    const other = (Object.keys(regions) as Region[]).find((region) => region !== endpoints.region)!;
    const otherUrl = `${regions[other].dashscope}/compatible-mode/v1`;
    if ((await isKeyAccepted(cli, otherUrl, apiKey)) === true) {
      return {
        check: 'API key region',
        status: 'fail',
        detail: `the key is refused in ${endpoints.region} but accepted in ${other}: keys are per region`,
        fix: `pass --region ${other}, or create a key in the ${endpoints.region} console`,
      };
    }
  }
  return {
    check: 'API key region',
    status: 'fail',
    detail: `the key is refused at ${endpoints.compatible} (401 InvalidApiKey)`,
    fix: 'check DASHSCOPE_API_KEY for typos, and that it was created for this region (keys are per region)',
  };
}

async function isKeyAccepted(
  cli: CliContext,
  baseUrl: string,
  apiKey: string,
): Promise<true | false | Error> {
  const transport = createTransport({
    baseUrl,
    auth: bearer(apiKey),
    retry: false,
    timeouts: { headersMs: 10_000 },
  });
  try {
    await transport.request({ method: 'GET', path: '/files', query: { limit: '1' }, signal: cli.signal });
    return true;
  } catch (error) {
    if (cli.signal.aborted) throw cli.signal.reason;
    if (HttpStatusError.isInstance(error) && error.status === 401) return false;
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    await transport.close();
  }
}

/** One signed call (ListCategory) with the AccessKey and workspace: proves the key, the signature and the workspace. */
async function bailianCheck(cli: CliContext, endpoints: Endpoints, workspaceId: string): Promise<Check> {
  const transport = createTransport({ baseUrl: endpoints.bailian, auth: acs3(), retry: false });
  try {
    await transport.request({
      method: 'POST',
      path: `/${encodeURIComponent(workspaceId)}/datacenter/categories`,
      headers: { 'x-acs-action': 'ListCategory', 'x-acs-version': '2023-12-29' },
      body: formBody({ CategoryType: 'UNSTRUCTURED', MaxResults: 1 }),
      operation: 'ListCategory',
      signal: cli.signal,
    });
    return {
      check: 'Bailian access',
      status: 'ok',
      detail: `a signed ListCategory in ${workspaceId} succeeded`,
    };
  } catch (error) {
    if (cli.signal.aborted) throw cli.signal.reason;
    const serviceCode = HttpStatusError.isInstance(error) ? error.serviceCode : undefined;
    const fixes: Record<string, string> = {
      'InvalidAccessKeyId.NotFound': 'the AccessKey ID is unknown: check ALIBABA_CLOUD_ACCESS_KEY_ID',
      SignatureDoesNotMatch:
        'the AccessKey secret does not match its ID: check ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'InvalidTimeStamp.Expired': 'the local clock is off by more than 15 minutes: turn on time sync',
      'Index.NoWorkspacePermissions':
        'the workspace is unknown or the RAM user has no permission in it: check BAILIAN_WORKSPACE_ID and grant access',
    };
    return {
      check: 'Bailian access',
      status: 'fail',
      detail: cli.describe(error),
      fix:
        (serviceCode && fixes[serviceCode]) ??
        (TransportError.isInstance(error)
          ? 'check the network and the endpoint'
          : 'run with --debug for details'),
    };
  } finally {
    await transport.close();
  }
}
