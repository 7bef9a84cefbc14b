import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/** The test setup every package shares; `test` overrides are merged in. */
export function packageTestConfig(packageDir: string, test: NonNullable<ViteUserConfig['test']> = {}) {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return defineConfig({
    define: { __PACKAGE_VERSION__: JSON.stringify(pkg.version) },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...test,
    },
  });
}
