import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../../../tooling/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the redis-server started for this run, or undefined when it is not installed (outside CI). */
    redisPort: number | undefined;
  }
}

/** Starts a throwaway redis-server on a free loopback port for the run (worker processes run the sources with tsx). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  project.provide('redisPort', redis?.port);
  return async () => {
    await redis?.stop();
  };
}
