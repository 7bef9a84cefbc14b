import { InvalidInputError } from '@x/transport';

/** Regions that offer the Bailian data API, with their public and VPC hosts (spec §1). */
export const bailianEndpoints = {
  'cn-beijing': { public: 'bailian.cn-beijing.aliyuncs.com', vpc: 'bailian-vpc.cn-beijing.aliyuncs.com' },
  'ap-southeast-1': {
    public: 'bailian.ap-southeast-1.aliyuncs.com',
    vpc: 'bailian-vpc.ap-southeast-1.aliyuncs.com',
  },
  'cn-shanghai-finance-1': {
    public: 'bailian.cn-shanghai-finance-1.aliyuncs.com',
    vpc: 'bailian-vpc.cn-shanghai-finance-1.aliyuncs.com',
  },
} as const;

/** A region of the Bailian data API (spec §1). */
export type BailianRegion = keyof typeof bailianEndpoints;

/** The network the client reaches the service through (spec §1). */
export type BailianNetwork = 'public' | 'vpc';

/**
 * The base URL of the Bailian data API. An explicit `endpoint` wins: a host (`bailian.cn-beijing.aliyuncs.com`, sent
 * over HTTPS) or a full URL (`http://127.0.0.1:4010` for the emulator). Otherwise the host is chosen from `region`
 * and `network` as spec §1's table lists them; the official SDK does not derive it (spec §10.1).
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_ENDPOINT` for an endpoint that is neither a host nor an http(s) URL,
 * `INVALID_REGION` for an unknown region or network.
 * @example
 * ```ts
 * bailianBaseUrl({ region: 'ap-southeast-1', network: 'vpc' }); // 'https://bailian-vpc.ap-southeast-1.aliyuncs.com'
 * ```
 */
export function bailianBaseUrl(
  options: { endpoint?: string; region?: BailianRegion; network?: BailianNetwork } = {},
): string {
  const { endpoint, region = 'cn-beijing', network = 'public' } = options;
  if (endpoint !== undefined) {
    const text = endpoint.trim();
    if (/^https?:\/\//i.test(text)) {
      try {
        return new URL(text).toString().replace(/\/+$/, '');
      } catch {
        throw new InvalidInputError(
          'INVALID_ENDPOINT',
          `endpoint is not a valid URL: ${JSON.stringify(endpoint)}`,
        );
      }
    }
    if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(text)) {
      throw new InvalidInputError(
        'INVALID_ENDPOINT',
        `endpoint must be a host (bailian.cn-beijing.aliyuncs.com) or an http(s) URL, got ${JSON.stringify(endpoint)}`,
      );
    }
    return `https://${text}`;
  }
  const hosts = (bailianEndpoints as Record<string, Record<string, string>>)[region];
  const host = hosts?.[network];
  if (!host) {
    throw new InvalidInputError(
      'INVALID_REGION',
      `No Bailian endpoint for region ${JSON.stringify(region)} and network ${JSON.stringify(network)}; regions: ${Object.keys(bailianEndpoints).join(', ')}`,
    );
  }
  return `https://${host}`;
}
