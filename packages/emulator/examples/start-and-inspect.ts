import { createEmulator } from '@x/emulator';

const emulator = await createEmulator(); // port 0 on 127.0.0.1, a fresh temporary data folder
const response = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`, {
  headers: { authorization: `Bearer ${emulator.account.apiKey}` },
});
const { data } = await response.json(); // policy, signature, upload_dir, upload_host, ...
console.log(data.upload_dir, data.max_file_size_mb);

emulator.clock.advance(48 * 3600_000); // expire policies, leases and objects without waiting
emulator.faults.next({
  route: 'dashscope.getPolicy',
  fault: { type: 'status', status: 429, retryAfterSeconds: 2 },
});
const throttled = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`, {
  headers: { authorization: `Bearer ${emulator.account.apiKey}` },
});
console.log(throttled.status, throttled.headers.get('retry-after')); // 429 2
console.log(emulator.calls.filter((call) => call.route === 'dashscope.getPolicy').length); // 2

await emulator.close(); // drops connections and removes the temporary folder
