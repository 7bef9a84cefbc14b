import { timingSafeEqual } from 'node:crypto';
import { hmacSha1 } from '@x/hash';

/** One condition of an OSS POST policy, normalised. */
export type PolicyCondition =
  | {
      readonly operator: 'eq' | 'starts-with';
      readonly field: string;
      readonly value: string;
      readonly raw: unknown;
    }
  | {
      readonly operator: 'in' | 'not-in';
      readonly field: string;
      readonly values: string[];
      readonly raw: unknown;
    }
  | {
      readonly operator: 'content-length-range';
      readonly min: number;
      readonly max: number;
      readonly raw: unknown;
    };

/** A decoded, well-formed OSS V1 POST policy. */
export interface PostPolicy {
  /** `expiration` in milliseconds since the epoch. */
  readonly expiresAtMs: number;
  /** The conditions in document order. */
  readonly conditions: readonly PolicyCondition[];
}

/** Why an OSS request was refused: status, OSS code, message and, where known, the detailed EC. */
export interface OssFailure {
  /** HTTP status. */
  readonly status: number;
  /** OSS error code, e.g. `AccessDenied`. */
  readonly code: string;
  /** OSS error message. */
  readonly message: string;
  /** Detailed error code, e.g. `0006-00000227`. */
  readonly ec?: string;
  /** The refusal in the emulator's own words, for the call log (`policy expired 12 s ago`); not sent. */
  readonly reason?: string;
}

/** Base64 of HMAC-SHA1(secret, policy as sent): the V1 PostObject signature. */
export function signPolicy(accessKeySecret: string, policyBase64: string): string {
  return hmacSha1(accessKeySecret, policyBase64).toString('base64');
}

/** Compares a sent signature with the expected one in constant time. */
export function isSignatureValid(expected: string, provided: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(provided);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Builds the policy DashScope issues: expiry, bucket, size range, key prefix, ACL and forbid-overwrite, as compact JSON
 * in base64 (sent and signed verbatim).
 */
export function buildPolicy(input: {
  expiresAtMs: number;
  bucket: string;
  maxSizeBytes: number;
  uploadDir: string;
}): string {
  const document = {
    expiration: new Date(input.expiresAtMs).toISOString(),
    conditions: [
      { bucket: input.bucket },
      ['content-length-range', 0, input.maxSizeBytes],
      // With the slash (seed 002: the key is `${upload_dir}/${file_name}`), so a sibling folder that merely starts
      // with the same characters (`<upload_dir>x/...`) is refused.
      ['starts-with', '$key', `${input.uploadDir}/`],
      { 'x-oss-object-acl': 'private' },
      { 'x-oss-forbid-overwrite': 'true' },
    ],
  };
  return Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
}

const invalid = (message: string, ec?: string): OssFailure => ({
  status: 400,
  code: 'InvalidPolicyDocument',
  message: `Invalid Policy: ${message}`,
  ...(ec === undefined ? {} : { ec }),
});

/** Decodes and validates a policy field; an {@link OssFailure} (`InvalidPolicyDocument`) when it is malformed. */
export function parsePolicy(policyBase64: string): PostPolicy | OssFailure {
  let document: unknown;
  try {
    const text = Buffer.from(policyBase64, 'base64').toString('utf8');
    document = JSON.parse(text);
  } catch {
    return invalid('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return invalid('Invalid JSON: the policy must be an object.');
  }
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) return invalid('Policy missing expiration.', '0006-00000207');
  if (conditions === undefined) return invalid('Policy missing conditions.', '0006-00000209');
  const expiresAtMs = typeof expiration === 'string' ? Date.parse(expiration) : Number.NaN;
  if (!Number.isFinite(expiresAtMs)) return invalid(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (!Array.isArray(conditions))
    return invalid('Invalid Conditions: conditions must be an array.', '0006-00000214');
  if (conditions.length === 0)
    return invalid('Invalid Conditions: conditions must not be empty.', '0006-00000215');
  const parsed: PolicyCondition[] = [];
  for (const raw of conditions as unknown[]) {
    const condition = parseCondition(raw);
    if ('status' in condition) return condition;
    parsed.push(condition);
  }
  return { expiresAtMs, conditions: parsed };
}

function parseCondition(raw: unknown): PolicyCondition | OssFailure {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const entries = Object.entries(raw);
    if (entries.length !== 1) {
      return invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    }
    const [field, value] = entries[0]!;
    if (typeof value !== 'string')
      return invalid(`Invalid Simple-Condition: value of '${field}' must be a string.`);
    return { operator: 'eq', field: field.toLowerCase(), value, raw };
  }
  if (!Array.isArray(raw))
    return invalid('Invalid Condition: each condition must be a map or a list.', '0006-00000222');
  const [operatorValue, first, second] = raw as unknown[];
  const operator = typeof operatorValue === 'string' ? operatorValue.toLowerCase() : '';
  switch (operator) {
    case 'eq':
    case 'starts-with': {
      if (
        raw.length !== 3 ||
        typeof first !== 'string' ||
        !first.startsWith('$') ||
        typeof second !== 'string'
      ) {
        return invalid(`Invalid Condition: ${renderCondition(raw)}`, '0006-00000216');
      }
      return { operator, field: first.slice(1).toLowerCase(), value: second, raw };
    }
    case 'in':
    case 'not-in': {
      const isList = Array.isArray(second) && second.every((value) => typeof value === 'string');
      if (raw.length !== 3 || typeof first !== 'string' || !first.startsWith('$') || !isList) {
        return invalid(`Invalid Condition: ${renderCondition(raw)}`, '0006-00000218');
      }
      return { operator, field: first.slice(1).toLowerCase(), values: second as string[], raw };
    }
    case 'content-length-range': {
      const isRange =
        raw.length === 3 &&
        Number.isSafeInteger(first) &&
        Number.isSafeInteger(second) &&
        (first as number) >= 0;
      if (!isRange) return invalid(`Invalid Condition: ${renderCondition(raw)}`, '0006-00000219');
      if ((second as number) < (first as number)) {
        return invalid(
          `Invalid Condition: ${renderCondition(raw)}: max must not be below min.`,
          '0006-00000221',
        );
      }
      return { operator, min: first as number, max: second as number, raw };
    }
    default:
      return invalid(`Invalid Condition: unknown operator in ${renderCondition(raw)}`, '0006-00000217');
  }
}

/**
 * Renders a condition the way OSS quotes it in messages: `["eq", "$success_action_status", "200"]`; a map condition
 * `{"bucket": "b"}` is quoted as `["eq", "$bucket", "b"]`.
 */
export function renderCondition(raw: unknown): string {
  if (Array.isArray(raw)) return `[${raw.map(renderCondition).join(', ')}]`;
  if (typeof raw === 'object' && raw !== null) {
    const [field, value] = Object.entries(raw)[0] ?? ['', ''];
    return renderCondition(['eq', `$${field}`, value]);
  }
  return JSON.stringify(raw) ?? 'null';
}

/**
 * Checks every field condition in order against the form (field names lowercased, values before `${filename}`
 * expansion; `bucket` is the bucket addressed). Size ranges are skipped: the caller checks them against the body.
 * Returns the first failure, or undefined.
 */
export function checkConditions(
  conditions: readonly PolicyCondition[],
  fieldValue: (field: string) => string,
): OssFailure | undefined {
  for (const condition of conditions) {
    if (condition.operator === 'content-length-range') continue;
    const actual = fieldValue(condition.field);
    let isMet: boolean;
    if ('values' in condition) {
      isMet = condition.values.includes(actual) === (condition.operator === 'in');
    } else {
      isMet = condition.operator === 'eq' ? actual === condition.value : actual.startsWith(condition.value);
    }
    if (!isMet) {
      return {
        status: 403,
        code: 'AccessDenied',
        message: `Invalid according to Policy: Policy Condition failed: ${renderCondition(condition.raw)}`,
        ec: '0006-00000227',
      };
    }
  }
  return undefined;
}

/** The allowed body size: the intersection of every `content-length-range`, capped at `ceilingBytes`. */
export function sizeRange(
  conditions: readonly PolicyCondition[],
  ceilingBytes: number,
): { minBytes: number; maxBytes: number } {
  let minBytes = 0;
  let maxBytes = ceilingBytes;
  for (const condition of conditions) {
    if (condition.operator !== 'content-length-range') continue;
    minBytes = Math.max(minBytes, condition.min);
    maxBytes = Math.min(maxBytes, condition.max);
  }
  return { minBytes, maxBytes };
}
