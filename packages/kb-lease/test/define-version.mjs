// Running the sources (examples under tsx) needs the version tsup injects at build time.
import { readFileSync } from 'node:fs';

globalThis.__PACKAGE_VERSION__ = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
