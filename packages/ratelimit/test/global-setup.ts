import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'tsup';
import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../../../tooling/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the redis-server started for this run, or undefined when it is not installed (outside CI). */
    redisPort: number | undefined;
    /** The package built to plain JavaScript, for child processes. */
    libraryPath: string;
  }
}

/** Starts a throwaway redis-server on a free loopback port and builds the package for child processes. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  project.provide('redisPort', redis?.port);
  const buildDir = await mkdtemp(join(tmpdir(), 'x-ratelimit-test-'));
  await build({
    entry: { index: join(import.meta.dirname, '../src/index.ts') },
    format: ['esm'],
    outDir: buildDir,
    platform: 'node',
    target: 'node20',
    dts: false,
    silent: true,
    config: false,
  });
  project.provide('libraryPath', join(buildDir, 'index.js'));

  return async () => {
    await redis?.stop();
    await rm(buildDir, { recursive: true, force: true });
  };
}
