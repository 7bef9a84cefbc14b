import { md5File } from '@x/hash';
import { ItemsFailedError } from '../cli-errors.js';
import type { CommandModule } from '../create-program.js';

/** `mstudio hash FILE...`: MD5 of each file in `md5sum`'s format, so `md5sum -c` can check the output. */
export const hashCommand: CommandModule = (program, runtime) => {
  program
    .command('hash')
    .description("MD5 of files, in md5sum's output format (the MD5 that knowledge-base uploads declare)")
    .argument('<file...>', 'files to hash')
    .addHelpText(
      'after',
      `
Examples:
  $ mstudio hash report.pdf notes.md
  $ mstudio hash report.pdf > report.md5 && md5sum -c report.md5
  $ mstudio --json hash report.pdf          {"file":"report.pdf","md5":"…","sizeBytes":…}`,
    )
    .action(async (files: string[], _options, command) => {
      const cli = runtime.context(command);
      const progress = cli.progress();
      let failed = 0;
      try {
        for (const file of files) {
          const item = progress.item(file);
          try {
            const digest = await md5File(file, {
              signal: cli.signal,
              onProgress: ({ loadedBytes, totalBytes }) => item.update(loadedBytes, totalBytes),
            });
            cli.result({ file, md5: digest.hex, sizeBytes: digest.sizeBytes }, md5sumLine(digest.hex, file));
          } catch (error) {
            if (cli.signal.aborted) throw error;
            failed += 1;
            cli.failure(file, error, { file });
          }
        }
      } finally {
        progress.stop();
      }
      if (failed > 0) throw new ItemsFailedError(failed, files.length);
    });
};

/**
 * `<hex>  <name>` as md5sum prints it: a name with a backslash or a newline is escaped and the line starts with `\`.
 */
export function md5sumLine(hex: string, file: string): string {
  if (!/[\\\n\r]/.test(file)) return `${hex}  ${file}`;
  const escaped = file.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
  return `\\${hex}  ${escaped}`;
}
