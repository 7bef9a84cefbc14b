import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'ini';
import { CredentialsError } from './credentials-error.js';
import type { Environment } from './resolve-api-key.js';

/** An Alibaba Cloud AccessKey pair, with a security token when it comes from STS. */
export interface AccessKeyCredentials {
  /** The AccessKey ID (sent in the clear as `Credential=`). */
  accessKeyId: string;
  /** The AccessKey secret; signs requests and is never sent or printed. */
  accessKeySecret: string;
  /** The STS security token, for temporary credentials. */
  securityToken?: string;
  /**
   * Where the credentials came from, sent in the signed `x-acs-credentials-provider` header as the official SDK does
   * (`static_ak`, `static_sts`, `default/env`, `default/profile`). @default 'static_ak' or 'static_sts'
   */
  providerName?: string;
}

/**
 * Resolves AccessKey credentials as the official default chain reads them: the explicit value, then
 * `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`, then the
 * profile file (`ALIBABA_CLOUD_CREDENTIALS_FILE` or `~/.alibabacloud/credentials`, INI, section
 * `ALIBABA_CLOUD_PROFILE` or `default`, `type = access_key` or `sts`).
 *
 * @param explicit - Credentials given by the caller; win when complete.
 * @param env - Where to read variables. @default process.env
 * @throws {@link CredentialsError} `CREDENTIALS_MISSING` naming every variable and file looked at.
 * @example
 * ```ts
 * const credentials = await resolveAccessKey();
 * ```
 */
export async function resolveAccessKey(
  explicit?: AccessKeyCredentials,
  env: Environment = process.env,
): Promise<AccessKeyCredentials> {
  if (explicit?.accessKeyId && explicit.accessKeySecret) {
    return { providerName: explicit.securityToken ? 'static_sts' : 'static_ak', ...explicit };
  }
  const lookedAt = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'];
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim();
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim();
  if (accessKeyId && accessKeySecret) {
    const securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN?.trim();
    return {
      accessKeyId,
      accessKeySecret,
      ...(securityToken ? { securityToken } : {}),
      providerName: 'default/env',
    };
  }
  const file =
    env.ALIBABA_CLOUD_CREDENTIALS_FILE?.trim() || join(env.HOME || homedir(), '.alibabacloud', 'credentials');
  const profile = env.ALIBABA_CLOUD_PROFILE?.trim() || 'default';
  lookedAt.push(`${file} [${profile}]`);
  const fromFile = await readProfile(file, profile, lookedAt);
  if (fromFile) return fromFile;
  throw new CredentialsError(
    `No Alibaba Cloud AccessKey: pass credentials, set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or add a [${profile}] profile to ${file} (looked at: ${lookedAt.join(', ')})`,
    { lookedAt },
  );
}

async function readProfile(
  file: string,
  profile: string,
  lookedAt: readonly string[],
): Promise<AccessKeyCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialsError(`Could not read the credentials file ${file}`, { lookedAt, cause: error });
  }
  const section = parse(text)[profile] as Record<string, unknown> | undefined;
  if (!section || typeof section !== 'object') return undefined;
  const type = typeof section.type === 'string' ? section.type : 'access_key';
  if (type !== 'access_key' && type !== 'sts') {
    throw new CredentialsError(
      `Profile [${profile}] in ${file} has type "${type}"; only access_key and sts are supported`,
      { lookedAt },
    );
  }
  const accessKeyId = stringValue(section.access_key_id);
  const accessKeySecret = stringValue(section.access_key_secret);
  if (!accessKeyId || !accessKeySecret) {
    throw new CredentialsError(`Profile [${profile}] in ${file} needs access_key_id and access_key_secret`, {
      lookedAt,
    });
  }
  const securityToken = stringValue(section.security_token);
  return {
    accessKeyId,
    accessKeySecret,
    ...(securityToken ? { securityToken } : {}),
    providerName: 'default/profile',
  };
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
