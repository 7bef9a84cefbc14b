import { inspect } from 'node:util';

/** Environment variables whose values are secrets: never printed, whatever an error says. */
const secretVariables = [
  'DASHSCOPE_API_KEY',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'OPENAI_API_KEY',
];

/** Secrets given on the command line (`--api_key`), kept for the life of the process so no error prints them. */
const commandLineSecrets = new Set<string>();

/** Remembers a secret given on the command line: from now on it is redacted wherever it would be printed. */
export function rememberSecret(secret: string | undefined): void {
  if (secret?.trim()) commandLineSecrets.add(secret.trim());
}

/** Every secret this process knows of: the variables above, and secrets given on the command line. */
export function knownSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = [...secretVariables.map((name) => env[name]), ...commandLineSecrets];
  return values.filter((value): value is string => typeof value === 'string' && value.trim().length >= 4);
}

/** Replaces every known secret, and anything shaped like a DashScope key, with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret.trim()).join('***');
  return result.replace(/\bsk-[A-Za-z0-9-]{8,}/g, 'sk-***');
}

/** What an error says in one line and in JSON: its code, message, and the service's code and request id. */
export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
  readonly serviceCode?: string;
  readonly requestId?: string;
  readonly status?: number;
  readonly path?: string;
}

/** The fields of an error worth showing; typed errors of the toolkit carry `code`, `serviceCode`, `requestId`. */
export function summarizeError(error: unknown, secrets: readonly string[]): ErrorSummary {
  if (error instanceof Error) {
    const fields = error as Error & Record<string, unknown>;
    const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
    const serviceCode = text('serviceCode');
    const requestId = text('requestId');
    const path = text('path');
    const status = typeof fields.status === 'number' ? fields.status : undefined;
    return {
      code: text('code') ?? (error.name === 'AbortError' ? 'ABORTED' : 'ERROR'),
      message: redact(error.message.split('\n')[0] ?? '', secrets),
      ...(serviceCode !== undefined && { serviceCode }),
      ...(requestId !== undefined && { requestId }),
      ...(status !== undefined && { status }),
      ...(path !== undefined && { path: redact(path, secrets) }),
    };
  }
  return { code: 'ERROR', message: redact(String(error), secrets) };
}

/**
 * One line for stderr: `CODE: message (serviceCode, requestId=...)`, the service code and request id added only when
 * the message does not already carry them. With `isDebug`, the stack and causes follow (still without secrets).
 */
export function formatError(error: unknown, secrets: readonly string[], isDebug = false): string {
  const summary = summarizeError(error, secrets);
  const extra: string[] = [];
  if (summary.serviceCode && !summary.message.includes(summary.serviceCode)) extra.push(summary.serviceCode);
  if (summary.requestId && !summary.message.includes(summary.requestId))
    extra.push(`requestId=${summary.requestId}`);
  const line = `${summary.code}: ${summary.message}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
  if (!isDebug) return line;
  const detail = inspect(error, { depth: 4, colors: false });
  return `${line}\n${redact(detail, secrets)}`;
}
