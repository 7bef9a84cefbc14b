import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's chromium package; never a downloaded browser (`.ci/run` installs it when missing). */
export const chromiumPath = '/usr/bin/chromium';

/** A headless Chromium with a new, empty profile; `close()` removes the profile. */
export interface HeadlessBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts Debian's Chromium headless, with nothing that talks to the network on its own (no QUIC, no background
 * networking, no component updates, no sync) and a fresh `--user-data-dir`.
 * @throws {Error} When `/usr/bin/chromium` is missing.
 */
export async function launchChromium(viewport: { width: number; height: number }): Promise<HeadlessBrowser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} is missing: apt-get install --no-install-recommends chromium (.ci/run does it when missing)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'x-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
