/** The package's own version, injected at build time by tsup and at test time by vitest. */
declare const __PACKAGE_VERSION__: string;
