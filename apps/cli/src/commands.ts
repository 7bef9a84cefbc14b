import { doctorCommand } from './commands/doctor.js';
import { emulatorCommand } from './commands/emulator.js';
import { filesCommand } from './commands/files.js';
import { hashCommand } from './commands/hash.js';
import { ingestCommand } from './commands/ingest.js';
import { kbCommand } from './commands/kb.js';
import { ossCommand } from './commands/oss.js';
import type { CommandModule } from './create-program.js';

/** Every command of `mstudio`, in the order `--help` lists them. Each lives in its own file under `commands/`. */
export const commands: readonly CommandModule[] = [
  emulatorCommand,
  hashCommand,
  ossCommand,
  filesCommand,
  kbCommand,
  ingestCommand,
  doctorCommand,
];
