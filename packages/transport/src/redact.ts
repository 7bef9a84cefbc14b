/** What replaces a secret wherever one would be printed. */
export const redacted = '[REDACTED]';

/** Query parameters whose values are credentials (pre-signed URLs, STS tokens, API keys). */
const secretQueryKey =
  /^(signature|x-oss-signature|x-amz-signature|x-amz-security-token|security-token|securitytoken|access_token|api_key|apikey|key)$/i;

/**
 * Removes credentials from text that is about to become part of an error, a `toJSON()` result or a log line:
 * every known secret string, `Signature=` and token query values, `Authorization`-style header lines, `Bearer`
 * tokens and the `SignatureProvided` / `StringToSign` elements of OSS error bodies.
 *
 * @internal
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(redacted);
  }
  return result
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${redacted}`)
    .replace(/(Signature=)[0-9a-fA-F]{16,}/g, `$1${redacted}`)
    .replace(/([?&;]\s*)([A-Za-z0-9_.-]+)=([^&#\s"'<>]*)/g, (match, lead: string, key: string) =>
      secretQueryKey.test(key) ? `${lead}${key}=${redacted}` : match,
    )
    .replace(
      /(authorization|x-acs-security-token|x-oss-security-token|x-api-key)("?\s*[:=]\s*"?)([^"\r\n,}]+)/gi,
      `$1$2${redacted}`,
    )
    .replace(
      /<(SignatureProvided|StringToSign|StringToSignBytes|SecurityToken)>[^<]*<\/\1>/g,
      `<$1>${redacted}</$1>`,
    );
}
