import { createHash } from 'node:crypto';
import { RateLimitError } from './rate-limit-error.js';

/**
 * The one Redis operation the store needs: run a Lua script with keys and arguments. Adapters run it with EVALSHA
 * and fall back to EVAL when the server does not have the script yet.
 */
export interface RedisEval {
  /** Runs `script` with `KEYS` and `ARGV`, resolving with the script's reply. */
  eval(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
}

/** The part of an ioredis client (`new Redis()`, `new Cluster()`) the adapter uses. */
export interface IoredisClient {
  /** `EVALSHA sha numkeys ...keys ...args`. */
  evalsha(sha: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** `EVAL script numkeys ...keys ...args`. */
  eval(script: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** The part of a node-redis v4/v5 client (`createClient()`) the adapter uses. */
export interface NodeRedisClient {
  /** `EVALSHA` with `{ keys, arguments }`. */
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** `EVAL` with `{ keys, arguments }`. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * Adapts an ioredis client. Create it with `enableOfflineQueue: false` so a lost connection fails at once instead
 * of queueing admissions.
 *
 * @example
 * ```ts
 * const store = createRedisStore({ client: ioredisAdapter(new Redis({ enableOfflineQueue: false })) });
 * ```
 */
export function ioredisAdapter(client: IoredisClient): RedisEval {
  return withScriptCache((sha, script, keys, args, useSha) =>
    useSha
      ? client.evalsha(sha, keys.length, ...keys, ...args)
      : client.eval(script, keys.length, ...keys, ...args),
  );
}

/**
 * Adapts a node-redis (v4 or v5) client. Create it with `disableOfflineQueue: true` so a lost connection fails at
 * once instead of queueing admissions.
 *
 * @example
 * ```ts
 * const client = await createClient({ disableOfflineQueue: true }).connect();
 * const store = createRedisStore({ client: nodeRedisAdapter(client) });
 * ```
 */
export function nodeRedisAdapter(client: NodeRedisClient): RedisEval {
  return withScriptCache((sha, script, keys, args, useSha) =>
    useSha
      ? client.evalSha(sha, { keys: [...keys], arguments: [...args] })
      : client.eval(script, { keys: [...keys], arguments: [...args] }),
  );
}

type Run = (
  sha: string,
  script: string,
  keys: readonly string[],
  args: readonly string[],
  useSha: boolean,
) => Promise<unknown>;

/** EVALSHA first; on NOSCRIPT (a fresh or flushed server) EVAL once, which also loads the script. */
function withScriptCache(run: Run): RedisEval {
  const shas = new Map<string, string>();
  return {
    async eval(script, keys, args) {
      let sha = shas.get(script);
      if (sha === undefined) {
        sha = createHash('sha1').update(script).digest('hex');
        shas.set(script, sha);
      }
      try {
        return await run(sha, script, keys, args, true);
      } catch (error) {
        if (!String((error as Error | undefined)?.message).includes('NOSCRIPT')) throw error;
        return run(sha, script, keys, args, false);
      }
    },
  };
}

/** Accepts an adapter, an ioredis client or a node-redis client. */
export function toRedisEval(client: RedisEval | IoredisClient | NodeRedisClient): RedisEval {
  if (typeof (client as IoredisClient).evalsha === 'function') return ioredisAdapter(client as IoredisClient);
  if (typeof (client as NodeRedisClient).evalSha === 'function')
    return nodeRedisAdapter(client as NodeRedisClient);
  if (typeof (client as RedisEval).eval === 'function') return client as RedisEval;
  throw new RateLimitError(
    'INVALID_OPTIONS',
    'createRedisStore: client must be an ioredis client, a node-redis client or an eval adapter',
  );
}
