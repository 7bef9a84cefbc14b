import { createEmulator } from '@x/emulator';

const emulator = await createEmulator({ faults: { seed: 7 } });
emulator.faults.next({ route: 'AddFile', fault: { type: 'status', status: 503 } }); // the next AddFile only
emulator.faults.next({ route: 'oss.*', fault: { type: 'reset' }, times: 2, after: 1 }); // 2nd and 3rd OSS upload
emulator.faults.next({ fault: { type: 'delay', delayMs: 500 }, times: 'always', probability: 0.1 }); // seeded
console.log(emulator.faults.pending().length); // 3
await emulator.close();
