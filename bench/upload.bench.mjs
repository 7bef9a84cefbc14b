// Uploading a generated 1 GiB file to a loopback server that discards the body, as multipart/form-data and as a
// PUT, through @x/transport and through curl (`curl -F` / `curl -T`) against the same server in the same run.
// Figures: throughput (MB/s), the ratio to curl (goal >= 0.8), and peak RSS (the transport's growth in this
// process; curl's whole-process peak from /usr/bin/time).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTransport, fileBody, multipartBody } from '../packages/transport/dist/index.js';
import { mbPerSecond, mib, sampleRss, writeGeneratedFile, writeResults } from './lib.mjs';

const sizeBytes = 1 << 30;
const rounds = 3;
const folder = mkdtempSync(join(tmpdir(), 'bench-upload-'));
const file = join(folder, 'one-gib.jsonl');

// The server runs in its own process so that neither client pays for its work in-process.
const serverSource = `
import { createServer } from 'node:http';
const server = createServer((request, response) => {
  let receivedBytes = 0;
  request.on('data', (chunk) => { receivedBytes += chunk.length; });
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ receivedBytes, contentLength: request.headers['content-length'] ?? null }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** Checks the server's answer: every byte arrived, with an exact content-length. */
function verify(how, answer) {
  const { receivedBytes, contentLength } = JSON.parse(answer);
  if (contentLength === null || Number(contentLength) !== receivedBytes || receivedBytes < sizeBytes) {
    throw new Error(`${how}: server received ${receivedBytes} bytes, content-length ${contentLength}`);
  }
}

/** Runs curl under /usr/bin/time: wall time, and curl's peak RSS in bytes. */
async function runCurl(how, args) {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', 'curl', '-sS', '--fail', '-H', 'Expect:', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'close');
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${how} exited ${code}: ${stderr}`);
  verify(how, stdout);
  const peakKiB = Number(stderr.trim().split('\n').at(-1));
  return { ms, peakRssBytes: peakKiB * 1024 };
}

async function runTransport(how, transport, request) {
  const rss = sampleRss();
  const started = performance.now();
  const response = await transport.request({ ...request, responseType: 'text' });
  const ms = performance.now() - started;
  const growthBytes = rss.stop();
  verify(how, response.body);
  return { ms, growthBytes, peakRssBytes: rss.baseline + growthBytes };
}

const server = spawn(process.execPath, ['--input-type=module', '-e', serverSource], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
try {
  await writeGeneratedFile(file, sizeBytes);
  const [portLine] = await once(server.stdout, 'data');
  const url = `http://127.0.0.1:${String(portLine).trim()}`;
  const transport = createTransport({ baseUrl: url, retry: false });

  const modes = {
    'multipart: @x/transport multipartBody': () =>
      runTransport('transport multipart', transport, {
        method: 'POST',
        path: '/upload',
        body: multipartBody([
          { name: 'purpose', value: 'batch' },
          { name: 'file', file, fileName: 'one-gib.jsonl' },
        ]),
      }),
    'multipart: curl -F': () =>
      runCurl('curl -F', [
        '-F',
        'purpose=batch',
        '-F',
        `file=@${file};filename=one-gib.jsonl`,
        `${url}/upload`,
      ]),
    'PUT: @x/transport fileBody': () =>
      runTransport('transport PUT', transport, { method: 'PUT', path: '/upload', body: fileBody(file) }),
    'PUT: curl -T': () => runCurl('curl -T', ['-T', file, `${url}/upload`]),
  };

  // Warm the page cache and the connection, then interleave the rounds so every mode sees the same conditions.
  await modes['PUT: curl -T']();
  await modes['PUT: @x/transport fileBody']();
  const samples = Object.fromEntries(Object.keys(modes).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of Object.entries(modes)) samples[name].push(await run());
  }
  await transport.close();

  const best = (name) => Math.min(...samples[name].map((sample) => sample.ms));
  const peak = (name, field) => Math.max(...samples[name].map((sample) => sample[field] ?? 0));
  const row = (name, reference) => ({
    how: name,
    'best of 3 (ms)': best(name).toFixed(0),
    'MB/s': mbPerSecond(sizeBytes, best(name)).toFixed(0),
    'vs curl': (best(reference) / best(name)).toFixed(2),
    'peak RSS (MiB)': mib(peak(name, 'peakRssBytes')).toFixed(1),
    'peak RSS growth (MiB)': name.includes('curl') ? '' : mib(peak(name, 'growthBytes')).toFixed(1),
  });
  writeResults('upload', {
    title: 'Upload a 1 GiB file to a loopback server (page cache warm)',
    columns: ['how', 'best of 3 (ms)', 'MB/s', 'vs curl', 'peak RSS (MiB)', 'peak RSS growth (MiB)'],
    rows: [
      row('multipart: curl -F', 'multipart: curl -F'),
      row('multipart: @x/transport multipartBody', 'multipart: curl -F'),
      row('PUT: curl -T', 'PUT: curl -T'),
      row('PUT: @x/transport fileBody', 'PUT: curl -T'),
    ],
    notes: [
      'Goal: @x/transport >= 0.8 of curl for the same upload. The server runs in its own process and discards the body;',
      'every run is checked: content-length present and equal to the bytes the server received.',
      "Peak RSS: the transport's is this whole Node process (growth = above its RSS before the upload); curl's is the curl process (/usr/bin/time %M).",
    ],
  });
} finally {
  server.stdin.end();
  server.kill();
  rmSync(folder, { recursive: true, force: true });
}
