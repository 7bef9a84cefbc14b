import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'tsup';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the redis-server started for this run, or undefined when it is not installed (outside CI). */
    redisPort: number | undefined;
    /** The package built to plain JavaScript, for worker processes. */
    libraryPath: string;
  }
}

const redisServer = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** Starts a throwaway redis-server on a free loopback port and builds the package for worker processes. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const buildDir = await mkdtemp(join(tmpdir(), 'x-ingest-test-'));
  await build({
    entry: { index: join(import.meta.dirname, '../src/index.ts') },
    format: ['esm'],
    outDir: buildDir,
    platform: 'node',
    target: 'node20',
    dts: false,
    silent: true,
    config: false,
    // Resolved from this package's node_modules by the worker processes.
    external: ['bullmq', 'ioredis', '@x/hash', '@x/transport'],
    define: { __PACKAGE_VERSION__: JSON.stringify('0.0.0-test') },
  });
  project.provide('libraryPath', join(buildDir, 'index.js'));

  let server: ChildProcess | undefined;
  if (existsSync(redisServer)) {
    const started = await startRedis();
    server = started.child;
    project.provide('redisPort', started.port);
  } else if (process.env.CI) {
    throw new Error(
      `redis-server not found at ${redisServer}: CI must install it (apt-get install redis-server)`,
    );
  } else {
    project.provide('redisPort', undefined);
  }
  return async () => {
    server?.kill('SIGTERM');
    await rm(buildDir, { recursive: true, force: true });
  };
}

async function startRedis(): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      redisServer,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForReady(child);
      return { child, port };
    } catch (error) {
      child.kill('SIGKILL');
      // Another process may have taken the port between probing and binding: try another one.
      if (attempt === 5) throw error;
    }
  }
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
