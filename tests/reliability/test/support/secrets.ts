import type { Emulator } from '@x/emulator';

/** Every secret an emulator account holds, plus the signatures it hands out, for leak checks. */
export function secretsOf(emulator: Emulator, extra: readonly string[] = []): string[] {
  const secrets = new Set<string>(extra);
  for (const account of emulator.accounts) {
    secrets.add(account.apiKey);
    secrets.add(account.accessKeySecret);
  }
  return [...secrets].filter((secret) => secret.length >= 8);
}

/** Everything a user could see of an error: message, stack head, `toJSON()`, and the same for each `cause`. */
export function visibleText(error: unknown): string {
  const seen = new Set<unknown>();
  const parts: string[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    parts.push(String(current));
    if (current instanceof Error) {
      parts.push(current.message);
      const toJson = (current as { toJSON?: () => unknown }).toJSON;
      if (typeof toJson === 'function') parts.push(JSON.stringify(toJson.call(current)));
      parts.push(JSON.stringify(Object.fromEntries(Object.entries(current))));
      current = current.cause;
    } else {
      parts.push(safeJson(current));
      current = undefined;
    }
  }
  return parts.join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** The secrets that appear in `text`. */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => text.includes(secret));
}
