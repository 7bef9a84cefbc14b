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
  if ('credentials' in fromFile) return fromFile.credentials;
  throw new CredentialsError(
    `No Alibaba Cloud AccessKey: pass credentials, set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or add a [${profile}] profile to ${file}; ${fromFile.found} (looked at: ${lookedAt.join(', ')})`,
    { lookedAt },
  );
}

async function readProfile(
  file: string,
  profile: string,
  lookedAt: readonly string[],
): Promise<{ credentials: AccessKeyCredentials } | { found: string }> {
  let text: string;
  try {
    text = decodeProfileFile(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { found: 'that file does not exist' };
    throw new CredentialsError(`Could not read the credentials file ${file}`, { lookedAt, cause: error });
  }
  const profiles = parse(text) as Record<string, unknown>;
  const section = profiles[profile] as Record<string, unknown> | undefined;
  if (!section || typeof section !== 'object') {
    const names = Object.keys(profiles).filter((name) => typeof profiles[name] === 'object');
    return {
      found:
        names.length === 0
          ? `that file has no [profile] sections (${text.trim() === '' ? 'it is empty' : `${text.length} characters`})`
          : `that file has ${names.map((name) => `[${name}]`).join(', ')}`,
    };
  }
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
    credentials: {
      accessKeyId,
      accessKeySecret,
      ...(securityToken ? { securityToken } : {}),
      providerName: 'default/profile',
    },
  };
}

/**
 * A profile file as editors on every platform save it: UTF-8 with or without a byte-order mark, UTF-16 with its
 * mark (Windows Notepad's "Unicode"), CRLF or LF line ends (the INI parser splits on both). @internal
 */
export function decodeProfileFile(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
