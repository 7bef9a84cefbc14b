import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorClock } from '../surface.js';

/** An object in temporary storage, as `emulator.state.dashscope.objects` lists it. */
export interface StoredObject {
  /** Object key (`upload_dir/name`); the `oss://` URL is `oss://` + key. */
  readonly key: string;
  /** Bucket it was posted to. */
  readonly bucket: string;
  /** Body size in bytes. */
  readonly sizeBytes: number;
  /** MD5 of the body, uppercase hex (the OSS ETag without quotes). */
  readonly etag: string;
  /** Content type, from `x-oss-content-type`, `Content-Type` or the file part. */
  readonly contentType: string;
  /** Model the policy was issued for, or undefined for a policy the emulator did not issue. */
  readonly model: string | undefined;
  /** Account the policy was issued to, or undefined for a policy the emulator did not issue. */
  readonly account: string | undefined;
  /** Emulated upload time, milliseconds since the epoch. */
  readonly uploadedAtMs: number;
  /** Emulated time the object is deleted, milliseconds since the epoch. */
  readonly expiresAtMs: number;
}

/** Object bodies on disk, metadata in memory, expiry on the emulated clock. */
export interface ObjectStore {
  /** A fresh path to stream a body into. */
  newBodyPath(): string;
  /** The live object under `key`, or undefined when absent or expired. */
  get(key: string): StoredObject | undefined;
  /** Stores an object whose body is at `bodyPath` (replacing any object under the same key). */
  put(object: StoredObject, bodyPath: string): void;
  /** Every live object. */
  list(): StoredObject[];
  /** Deletes a body file that was not stored. */
  discard(bodyPath: string): Promise<void>;
}

/** Creates an object store under `directory`; an object is deleted (body included) once its `expiresAtMs` has passed. */
export function createObjectStore(directory: string, clock: EmulatorClock): ObjectStore {
  mkdirSync(directory, { recursive: true });
  const objects = new Map<string, { object: StoredObject; bodyPath: string }>();

  const sweep = () => {
    const now = clock.now();
    for (const [key, entry] of objects) {
      if (entry.object.expiresAtMs <= now) {
        objects.delete(key);
        void rm(entry.bodyPath, { force: true });
      }
    }
  };

  return {
    newBodyPath: () => join(directory, randomUUID()),
    get(key) {
      sweep();
      return objects.get(key)?.object;
    },
    put(object, bodyPath) {
      sweep();
      const previous = objects.get(object.key);
      if (previous !== undefined) void rm(previous.bodyPath, { force: true });
      objects.set(object.key, { object, bodyPath });
    },
    list() {
      sweep();
      return [...objects.values()].map((entry) => entry.object);
    },
    discard: (bodyPath) => rm(bodyPath, { force: true }),
  };
}
