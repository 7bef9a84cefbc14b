import { z } from 'zod';

/**
 * The wire shapes of DashScope temporary storage. Field names are as on the wire. Response schemas are lenient: the
 * documentation types every field as a string while the service answers numbers for sizes and times, and one client
 * has seen `x_oss_forbid_overwrite` as a JSON boolean, so both are accepted.
 */

/** A number the service may send as a JSON number or as a numeric string. */
const numeric = z.union([
  z.number().finite(),
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);

/** A flag the service may send as `"true"`, `"True"` or `true`; kept as the lowercase string the form needs. */
const flag = z.union([z.string(), z.boolean()]).transform((value) => String(value).toLowerCase());

/** `data` of `GET /api/v1/uploads?action=getPolicy&model=...`: a V1 OSS PostObject policy. */
export const uploadPolicySchema = z
  .object({
    /** Base64 PostObject policy; sent byte for byte. */
    policy: z.string().min(1),
    /** Base64 HMAC-SHA1 of `policy`; the form field `Signature`. */
    signature: z.string().min(1),
    /** Folder the object key must start with, e.g. `dashscope-instant/<id>/<date>/<random>`. */
    upload_dir: z.string().min(1),
    /** The bucket endpoint the form is posted to. */
    upload_host: z.url({ protocol: /^https?$/ }),
    /** How long the policy is valid, in seconds. */
    expire_in_seconds: numeric,
    /** Largest file this model accepts, in MiB. */
    max_file_size_mb: numeric,
    /** Daily upload quota of the account, in MiB. */
    capacity_limit_mb: numeric.nullish(),
    /** The form field `OSSAccessKeyId`. */
    oss_access_key_id: z.string().min(1),
    /** The form field `x-oss-object-acl`. */
    x_oss_object_acl: z.string().nullish(),
    /** The form field `x-oss-forbid-overwrite`. */
    x_oss_forbid_overwrite: flag.nullish(),
    /** STS token, sent as `x-oss-security-token` when present. */
    x_oss_security_token: z.string().nullish(),
  })
  .passthrough();

/** The whole getPolicy response. */
export const getPolicyResponseSchema = z
  .object({
    request_id: z.string().nullish(),
    data: uploadPolicySchema,
  })
  .passthrough();

/** A getPolicy answer as parsed. */
export type UploadPolicyData = z.output<typeof uploadPolicySchema>;

/** The whole getPolicy response as parsed. */
export type GetPolicyResponse = z.output<typeof getPolicyResponseSchema>;

/** `<Error><Code>...</Code><Message>...</Message></Error>`, the body of every OSS error. */
export interface OssErrorBody {
  /** e.g. `AccessDenied`, `FileAlreadyExists`, `EntityTooLarge`. */
  readonly code: string | undefined;
  /** e.g. `Invalid according to Policy: Policy expired.` */
  readonly message: string | undefined;
}

/** Reads `Code` and `Message` from an OSS XML error body (or a DashScope JSON one); lenient, never throws. */
export function parseOssErrorBody(body: unknown): OssErrorBody {
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    return {
      code:
        typeof record.code === 'string'
          ? record.code
          : typeof record.Code === 'string'
            ? record.Code
            : undefined,
      message:
        typeof record.message === 'string'
          ? record.message
          : typeof record.Message === 'string'
            ? record.Message
            : undefined,
    };
  }
  if (typeof body !== 'string') return { code: undefined, message: undefined };
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      return parseOssErrorBody(JSON.parse(text) as unknown);
    } catch {
      return { code: undefined, message: undefined };
    }
  }
  return { code: xmlElement(text, 'Code'), message: xmlElement(text, 'Message') };
}

function xmlElement(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  if (!match) return undefined;
  return match[1]!
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}
