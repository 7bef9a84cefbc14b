import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHasher, hashStream, md5File, sha256Hex } from '@x/hash';

// Any file: here the example itself, or the path given on the command line.
const path = process.argv[2] ?? fileURLToPath(import.meta.url);

// The MD5 that ApplyFileUploadLease wants (hex), the Content-MD5 form (base64), and the size, in one read.
const { hex, base64, sizeBytes } = await md5File(path, {
  signal: AbortSignal.timeout(60_000),
  onProgress: ({ loadedBytes, totalBytes }) => console.log(`hashed ${loadedBytes} of ${totalBytes} bytes`),
});
console.log(`${hex}  ${path}`, base64, sizeBytes);

// Node Readable, web ReadableStream, async iterable, bytes or text.
const sha256 = await hashStream('sha256', createReadStream(path));
console.log('sha256', sha256.hex);

// Hash while the bytes go somewhere else.
const hasher = createHasher('md5');
hasher.update(new TextEncoder().encode('hello '));
hasher.update(new TextEncoder().encode('world'));
console.log(hasher.digest()); // { hex, base64, sizeBytes }

// Synchronous helpers: sha256Hex, md5Hex, md5Base64, hmacSha256, hmacSha1.
console.log(sha256Hex(''));
