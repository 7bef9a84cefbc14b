/**
 * Where chat messages carry media URLs. DashScope native content parts put them under `image`, `audio` and `video`
 * (a string, or a list of frames for video); OpenAI-compatible parts under `image_url`, `video_url`, `audio_url`
 * (a string or `{ url }`), `input_audio.data`, `video` (a list of frames) and `file.file_data` / `file.file_url`.
 * Text is never treated as a file, whatever it says.
 */

/** Native DashScope keys whose value is a URL or a list of URLs. */
const urlKeys = ['image', 'audio', 'video'] as const;
/** OpenAI-compatible keys whose value is a URL or `{ url }`. */
const urlObjectKeys = ['image_url', 'video_url', 'audio_url'] as const;

/**
 * Returns `messages` with every media URL replaced by `map(url)`. Only changed branches are copied; the input is
 * never modified, and a message list without media comes back as the same array.
 *
 * @example
 * ```ts
 * const urls: string[] = [];
 * mapMessageMedia(messages, (url) => (urls.push(url), url));
 * ```
 */
export function mapMessageMedia<T>(messages: readonly T[], map: (url: string) => string): T[] {
  let changed = false;
  const result = messages.map((message) => {
    const next = mapMessage(message, map);
    if (next !== message) changed = true;
    return next;
  });
  return changed ? result : (messages as T[]);
}

function mapMessage<T>(message: T, map: (url: string) => string): T {
  if (!isRecord(message) || !Array.isArray(message.content)) return message;
  const content = mapList(message.content, (part) => mapPart(part, map));
  return content === message.content ? message : ({ ...message, content } as T);
}

function mapPart(part: unknown, map: (url: string) => string): unknown {
  if (!isRecord(part)) return part;
  const changes: Record<string, unknown> = {};
  for (const key of urlKeys) {
    const value = part[key];
    if (typeof value === 'string') changes[key] = map(value);
    else if (Array.isArray(value))
      changes[key] = mapList(value, (item) => (typeof item === 'string' ? map(item) : item));
  }
  for (const key of urlObjectKeys) {
    const value = part[key];
    if (typeof value === 'string') changes[key] = map(value);
    else if (isRecord(value)) changes[key] = mapField(value, 'url', map);
  }
  if (isRecord(part.input_audio)) changes.input_audio = mapField(part.input_audio, 'data', map);
  if (part.type === 'file' && isRecord(part.file)) {
    changes.file = mapField(mapField(part.file, 'file_data', map), 'file_url', map);
  }
  const isChanged = Object.entries(changes).some(([key, value]) => value !== part[key]);
  return isChanged ? { ...part, ...changes } : part;
}

function mapField(record: Record<string, unknown>, key: string, map: (url: string) => string) {
  const value = record[key];
  if (typeof value !== 'string') return record;
  const next = map(value);
  return next === value ? record : { ...record, [key]: next };
}

function mapList(list: readonly unknown[], map: (item: unknown) => unknown): unknown[] {
  let changed = false;
  const result = list.map((item) => {
    const next = map(item);
    if (next !== item) changed = true;
    return next;
  });
  return changed ? result : (list as unknown[]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
