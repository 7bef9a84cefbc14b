import { expect, inject, it } from 'vitest';
import { listExamples, runExample } from '../../../tooling/examples.js';

// Rate limiting needs no service; the Redis example runs against the redis-server of the global setup (skipped
// only where it is not installed, never in CI).
const packageDir = `${import.meta.dirname}/..`;
const redisPort = inject('redisPort');

for (const file of listExamples(packageDir)) {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const needsRedis = name.startsWith('redis');
  it.skipIf(needsRedis && redisPort === undefined)(`runs ${name} as written`, async () => {
    const env: Record<string, string> =
      redisPort === undefined ? {} : { REDIS_URL: `redis://127.0.0.1:${redisPort}` };
    const run = await runExample(file, { cwd: packageDir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
  });
}
