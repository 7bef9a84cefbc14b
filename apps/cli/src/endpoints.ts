import { UsageError } from './cli-errors.js';

/** The regions `--region` accepts, with their DashScope and Bailian hosts. */
export const regions = {
  'cn-beijing': {
    dashscope: 'https://dashscope.aliyuncs.com',
    bailian: 'https://bailian.cn-beijing.aliyuncs.com',
  },
  'ap-southeast-1': {
    dashscope: 'https://dashscope-intl.aliyuncs.com',
    bailian: 'https://bailian.ap-southeast-1.aliyuncs.com',
  },
} as const;

/** A region of Model Studio. */
export type Region = keyof typeof regions;

/** Where each surface is reached. */
export interface Endpoints {
  readonly region: Region;
  /** The DashScope origin: temporary storage (`/api/v1/uploads`) and model calls. */
  readonly dashscope: string;
  /** The OpenAI-compatible base URL (`<dashscope>/compatible-mode/v1`): the Files API. */
  readonly compatible: string;
  /** The Bailian data API origin (ACS3-signed). */
  readonly bailian: string;
  /** Whether `--endpoint` / `MSTUDIO_ENDPOINT` points every surface at one base URL (an emulator). */
  readonly isCustom: boolean;
  /** Where the choice came from, for `doctor`. */
  readonly source: string;
}

/**
 * Resolves the endpoints: `--endpoint` (or `MSTUDIO_ENDPOINT`) serves every surface from one base URL; otherwise the
 * hosts of `--region` (default `cn-beijing`).
 */
export function resolveEndpoints(
  options: { endpoint?: string | undefined; region?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Endpoints {
  const regionName = options.region ?? 'cn-beijing';
  if (!Object.hasOwn(regions, regionName)) {
    throw new UsageError(`--region must be one of ${Object.keys(regions).join(', ')}; got "${regionName}"`);
  }
  const region = regionName as Region;
  const fromFlag = options.endpoint?.trim();
  const fromEnv = env.MSTUDIO_ENDPOINT?.trim();
  const endpoint = fromFlag || fromEnv;
  if (endpoint) {
    const source = fromFlag ? '--endpoint' : 'MSTUDIO_ENDPOINT';
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UsageError(
        `${source} must be an http(s) URL such as http://127.0.0.1:4010; got "${endpoint}"`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(
        `${source} must be an http(s) URL such as http://127.0.0.1:4010; got "${endpoint}"`,
      );
    }
    const base = url.href.replace(/\/+$/, '');
    return {
      region,
      dashscope: base,
      compatible: `${base}/compatible-mode/v1`,
      bailian: base,
      isCustom: true,
      source,
    };
  }
  const hosts = regions[region];
  return {
    region,
    dashscope: hosts.dashscope,
    compatible: `${hosts.dashscope}/compatible-mode/v1`,
    bailian: hosts.bailian,
    isCustom: false,
    source: options.region === undefined ? 'the default region' : '--region',
  };
}
