// Posts one multipart form from a separate process, so the test process measures only the emulator's memory.
// Usage: node post-form-process.mjs <uploadHost> <fieldsJson> <filename> <sizeBytes>; prints { status, text }.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

const [uploadHost, fieldsJson, filename, sizeText] = process.argv.slice(2);
const fields = JSON.parse(fieldsJson);
const sizeBytes = Number(sizeText);
const boundary = `----emulator${randomBytes(12).toString('hex')}`;
const head = Buffer.from(
  fields
    .map(
      ([name, value]) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    )
    .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n\r\n`,
);
const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
const chunk = Buffer.alloc(1024 * 1024, 0x7a);

const outgoing = request(uploadHost, {
  method: 'POST',
  headers: {
    'content-type': `multipart/form-data; boundary=${boundary}`,
    'content-length': head.length + sizeBytes + tail.length,
  },
});
outgoing.on('response', (response) => {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (part) => {
    text += part;
  });
  response.on('end', () => process.stdout.write(JSON.stringify({ status: response.statusCode, text })));
});
outgoing.on('error', (error) => {
  process.stderr.write(String(error));
  process.exitCode = 1;
});

const write = (buffer) =>
  new Promise((resolve) => (outgoing.write(buffer) ? resolve() : outgoing.once('drain', resolve)));
await write(head);
for (let remaining = sizeBytes; remaining > 0; remaining -= chunk.length) {
  await write(remaining >= chunk.length ? chunk : chunk.subarray(0, remaining));
}
outgoing.end(tail);
