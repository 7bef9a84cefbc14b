import { createEmulator } from '@x/emulator';
import { createAdminClient } from '@x/emulator/vitest';

// In a vitest test the URL comes from `inject('emulator')`; any process that knows the URL can do the same.
const emulator = await createEmulator();
const admin = createAdminClient(emulator.url);
await admin.advanceClock(301_000);
await admin.addFault({ route: 'oss.postObject', fault: { type: 'reset' } });
console.log(await admin.faults()); // the rule just added
const calls = await admin.calls({ route: 'oss.postObject' });
console.log(calls.length); // 0: nothing uploaded yet
await admin.reset();
await emulator.close();
