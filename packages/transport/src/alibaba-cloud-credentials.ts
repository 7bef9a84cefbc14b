import type { CredentialsProvider } from './acs3.js';
import { CredentialsError } from './credentials-error.js';
import { redactText } from './redact.js';
import type { AccessKeyCredentials } from './resolve-access-key.js';

/** What `getCredential()` of `@alicloud/credentials` returns (its `CredentialModel`). */
export interface AlibabaCloudCredentialModel {
  /** The AccessKey ID (an `STS.` one for temporary credentials). */
  accessKeyId?: string;
  /** The AccessKey secret. */
  accessKeySecret?: string;
  /** The STS security token, for temporary credentials. */
  securityToken?: string;
  /** Which provider gave them: `default/env`, `credential_uri`, `ecs_ram_role`, `oidc_role_arn`... */
  providerName?: string;
}

/** Anything shaped like `@alicloud/credentials`' `Credential`: it caches and refreshes on its own. */
export interface AlibabaCloudCredential {
  /** Returns current credentials, refreshing temporary ones before they expire. */
  getCredential(): Promise<AlibabaCloudCredentialModel>;
}

/** Options of {@link alibabaCloudCredentials}. */
export interface AlibabaCloudCredentialsOptions {
  /**
   * A `Credential` of `@alicloud/credentials` (or any object with its `getCredential()`).
   * @default new Credential(config), the official default chain when `config` is not given
   */
  credential?: AlibabaCloudCredential;
  /**
   * The `Config` fields for `new Credential(config)` when no `credential` is given, e.g.
   * `{ type: 'credentials_uri', credentialsURI: 'http://127.0.0.1:8080/sts' }` or `{ type: 'ecs_ram_role' }`.
   * @default undefined (the default chain: env, OIDC, CLI profile, profile file, ECS RAM role, credentials URI)
   */
  config?: Record<string, unknown>;
}

/**
 * Credentials as production deployments on Alibaba Cloud get them, through the official `@alicloud/credentials`
 * (an optional peer dependency, loaded at the first request): ECS RAM roles, OIDC roles (RRSA on ACK),
 * `ram_role_arn`, the CLI's `~/.aliyun/config.json`, credentials URIs and the environment (spec §8). It is called
 * before every attempt: the library caches the credentials and refreshes temporary ones before they expire, so a
 * long batch keeps signing with valid keys. `x-acs-credentials-provider` carries the provider name the library
 * reports (`default/env`, `credential_uri`...). No STS or metadata call is re-implemented here.
 *
 * @param options - A ready `Credential`, or the `Config` to build one. @default the official default chain
 * @throws {@link CredentialsError} at the first request when `@alicloud/credentials` is not installed or gives no
 * usable AccessKey; its message never carries a secret.
 * @example
 * ```ts
 * const transport = createTransport({
 *   baseUrl: 'https://bailian.cn-beijing.aliyuncs.com',
 *   auth: acs3(alibabaCloudCredentials()),
 * });
 * ```
 */
export function alibabaCloudCredentials(options: AlibabaCloudCredentialsOptions = {}): CredentialsProvider {
  let credential: Promise<AlibabaCloudCredential> | undefined;
  const load = (): Promise<AlibabaCloudCredential> => {
    if (options.credential) return Promise.resolve(options.credential);
    credential ??= loadCredential(options.config).catch((error: unknown) => {
      credential = undefined;
      throw error;
    });
    return credential;
  };
  return async ({ signal } = {}) => {
    signal?.throwIfAborted();
    const source = await withSignal(load(), signal);
    let model: AlibabaCloudCredentialModel;
    try {
      model = await withSignal(source.getCredential(), signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new CredentialsError(`@alicloud/credentials gave no credentials: ${safeMessage(error)}`, {
        lookedAt: ['@alicloud/credentials'],
      });
    }
    const { accessKeyId, accessKeySecret, securityToken, providerName } = model ?? {};
    if (!accessKeyId || !accessKeySecret) {
      throw new CredentialsError(
        `@alicloud/credentials gave no AccessKey (provider ${providerName ?? 'unknown'}); bearer tokens cannot sign ACS3 requests`,
        { lookedAt: ['@alicloud/credentials'] },
      );
    }
    const result: AccessKeyCredentials = { accessKeyId, accessKeySecret };
    if (securityToken) result.securityToken = securityToken;
    result.providerName = providerName || (securityToken ? 'static_sts' : 'static_ak');
    return result;
  };
}

async function loadCredential(config: Record<string, unknown> | undefined): Promise<AlibabaCloudCredential> {
  let module: Record<string, unknown>;
  try {
    module = (await import('@alicloud/credentials')) as Record<string, unknown>;
  } catch (error) {
    throw new CredentialsError(
      'alibabaCloudCredentials() needs the optional peer dependency @alicloud/credentials: npm install @alicloud/credentials',
      { lookedAt: ['@alicloud/credentials'], cause: error },
    );
  }
  // The package is CommonJS with `exports.default = Credential` and `exports.Config`.
  const inner = (module.default ?? module) as Record<string, unknown>;
  const Credential = (typeof inner.default === 'function' ? inner.default : inner) as new (
    config?: unknown,
  ) => AlibabaCloudCredential;
  const Config = (inner.Config ?? module.Config) as (new (config: unknown) => unknown) | undefined;
  if (config === undefined) return new Credential();
  return new Credential(Config ? new Config(config) : config);
}

/** The library's message without anything that could be a credential (its errors may quote the STS answer). */
function safeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n')[0] ?? '';
  const cut = firstLine.replace(/[{[].*$/, '').trim();
  return redactText(cut.slice(0, 300)) || 'unknown error';
}

function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
