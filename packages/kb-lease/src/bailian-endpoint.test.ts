import { InvalidInputError } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { bailianBaseUrl } from './bailian-endpoint.js';

describe('bailianBaseUrl (spec §1)', () => {
  it('derives the host from region and network, unlike the official SDK', () => {
    expect(bailianBaseUrl()).toBe('https://bailian.cn-beijing.aliyuncs.com');
    expect(bailianBaseUrl({ region: 'ap-southeast-1' })).toBe('https://bailian.ap-southeast-1.aliyuncs.com');
    expect(bailianBaseUrl({ region: 'cn-shanghai-finance-1', network: 'vpc' })).toBe(
      'https://bailian-vpc.cn-shanghai-finance-1.aliyuncs.com',
    );
  });

  it('takes an endpoint as a host (HTTPS) or a full URL', () => {
    expect(bailianBaseUrl({ endpoint: 'bailian.cn-beijing.aliyuncs.com', region: 'ap-southeast-1' })).toBe(
      'https://bailian.cn-beijing.aliyuncs.com',
    );
    expect(bailianBaseUrl({ endpoint: 'http://127.0.0.1:4010/' })).toBe('http://127.0.0.1:4010');
    expect(bailianBaseUrl({ endpoint: '127.0.0.1:4010' })).toBe('https://127.0.0.1:4010');
  });

  it('refuses an unknown region or a malformed endpoint with a typed error', () => {
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return InvalidInputError.isInstance(error) ? error.code : 'other';
      }
    };
    expect(codeOf(() => bailianBaseUrl({ region: 'cn-hangzhou' as never }))).toBe('INVALID_REGION');
    expect(codeOf(() => bailianBaseUrl({ endpoint: 'ftp://x' }))).toBe('INVALID_ENDPOINT');
  });
});
