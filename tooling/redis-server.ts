import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** A throwaway redis-server on a loopback port, for one test run. */
export interface TestRedisServer {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops it (SIGTERM) and resolves once it exited. */
  stop(): Promise<void>;
}

/** Where the redis-server binary is: `$REDIS_SERVER`, else Debian's path. */
export const redisServerPath = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * Starts a redis-server with no persistence on a free loopback port, for the tests of the packages that need a real
 * Redis (`@x/ratelimit`'s Redis store, `@x/ingest`, the CLI's `ingest` commands). Resolves `undefined` when
 * redis-server is not installed, so a developer without it skips those tests; in CI (`$CI` set) that is an error.
 */
export async function startRedisServer(): Promise<TestRedisServer | undefined> {
  if (!existsSync(redisServerPath)) {
    if (process.env.CI) {
      throw new Error(
        `redis-server not found at ${redisServerPath}: CI must install it (apt-get install redis-server)`,
      );
    }
    return undefined;
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      redisServerPath,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForReady(child);
      return { port, url: `redis://127.0.0.1:${port}`, stop: () => stop(child) };
    } catch (error) {
      child.kill('SIGKILL');
      // Another process may have taken the port between probing and binding: try another one.
      if (attempt === 5) throw error;
    }
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output}`));
    });
  });
}
