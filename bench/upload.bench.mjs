// Uploads of generated files (30 MiB, 300 MiB, 1 GiB) over loopback, each side by side with curl in the same run:
// - ceiling: the same file piped straight into a TCP socket to a server that discards it (no HTTP at all);
// - PUT and multipart POST through @x/transport vs `curl -T` / `curl -F`, to a discarding HTTP server;
// - @x/temp-oss upload (getPolicy + OSS PostObject) vs curl posting the same form with the same policy, against
//   the emulator (which stores the object on disk).
// Every server runs in its own process, so this process's RSS is the client's. Figures: MB/s, ratio to curl,
// ratio to the ceiling, peak RSS (ours: growth of this process; curl: its whole process from /usr/bin/time).
import { once } from 'node:events';
import { createReadStream, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createTempStorage } from '../packages/temp-oss/dist/index.js';
import { createTransport, fileBody, multipartBody } from '../packages/transport/dist/index.js';
import {
  benchFolder,
  fileSizes,
  interleavedRounds,
  mbPerSecond,
  mib,
  ratio,
  reportSection,
  roundCount,
  runCurl,
  sampleRss,
  sizeLabel,
  startChild,
  startEmulator,
} from './lib.mjs';

const sizes = fileSizes();
const rounds = roundCount(3);
const model = 'wan2.1-t2v-turbo'; // a video model: temporary storage takes up to 1024 MB for it
const folder = benchFolder('upload');

// Discarding servers: HTTP (answers with the bytes received and the content-length) and raw TCP (answers with the
// bytes received once the client ends its side).
const discardSource = `
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
const http = createServer((request, response) => {
  let receivedBytes = 0;
  request.on('data', (chunk) => { receivedBytes += chunk.length; });
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ receivedBytes, contentLength: request.headers['content-length'] ?? null }));
  });
});
const tcp = createTcpServer({ allowHalfOpen: true }, (socket) => {
  let receivedBytes = 0;
  socket.on('data', (chunk) => { receivedBytes += chunk.length; });
  socket.on('end', () => socket.end(String(receivedBytes)));
});
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
await new Promise((resolve) => tcp.listen(0, '127.0.0.1', resolve));
process.stdout.write(JSON.stringify({ http: http.address().port, tcp: tcp.address().port }) + '\\n');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** Checks a discarding server's answer: every byte arrived, with an exact content-length. */
function verify(how, answer, sizeBytes) {
  const { receivedBytes, contentLength } = JSON.parse(answer);
  if (contentLength === null || Number(contentLength) !== receivedBytes || receivedBytes < sizeBytes) {
    throw new Error(`${how}: server received ${receivedBytes} bytes, content-length ${contentLength}`);
  }
}

/** Runs one of ours in this process: wall time and peak RSS growth. */
async function runOurs(work) {
  const rss = sampleRss();
  const started = performance.now();
  const output = await work();
  const ms = performance.now() - started;
  const growthBytes = rss.stop();
  return { ms, output, growthBytes, peakRssBytes: rss.baseline + growthBytes };
}

/** The file piped into a TCP socket; resolves when the server confirms every byte. */
async function ceiling(file, port, sizeBytes) {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = performance.now();
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk;
  });
  createReadStream(file, { highWaterMark: 1 << 20 }).pipe(socket);
  await once(socket, 'end');
  const ms = performance.now() - started;
  socket.destroy();
  if (Number(answer) !== sizeBytes) throw new Error(`ceiling: server received ${answer} of ${sizeBytes}`);
  return { ms };
}

/** A fresh getPolicy answer, for curl to post the same form temp-oss posts. */
async function getPolicy(emulator) {
  const response = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=${model}`, {
    headers: { authorization: `Bearer ${emulator.account.apiKey}` },
  });
  if (!response.ok) throw new Error(`getPolicy: ${response.status} ${await response.text()}`);
  return (await response.json()).data;
}

let curlNameCounter = 0;
async function curlPostObject(emulator, file) {
  const policy = await getPolicy(emulator);
  const key = `${policy.upload_dir}/curl-${++curlNameCounter}.bin`;
  const fields = {
    OSSAccessKeyId: policy.oss_access_key_id,
    Signature: policy.signature,
    policy: policy.policy,
    key,
    'x-oss-object-acl': policy.x_oss_object_acl,
    'x-oss-forbid-overwrite': policy.x_oss_forbid_overwrite,
    'x-oss-security-token': policy.x_oss_security_token,
    success_action_status: '200',
  };
  const form = Object.entries(fields)
    .filter(([, value]) => value !== undefined && value !== null)
    .flatMap(([name, value]) => ['--form-string', `${name}=${value}`]);
  return runCurl('curl PostObject', [
    ...form,
    '-F',
    `file=@${file};filename=${key.split('/').at(-1)}`,
    policy.upload_host,
  ]);
}

const discard = await startChild(discardSource);
const transport = createTransport({ baseUrl: `http://127.0.0.1:${discard.info.http}`, retry: false });
const sizeTables = [];
const summary = [];
const series = {};
const addPoint = (group, name, sizeBytes, value, isReference = false) => {
  series[group] ??= new Map();
  if (!series[group].has(name)) series[group].set(name, { name, points: [], isReference });
  series[group].get(name).points.push([sizeBytes, value]);
};

try {
  for (const sizeBytes of sizes) {
    const file = await folder.generate(sizeBytes);
    const emulator = await startEmulator({ limits: { isRateLimited: false } });
    const storage = createTempStorage({ apiKey: emulator.account.apiKey, baseUrl: emulator.url });
    const url = `http://127.0.0.1:${discard.info.http}/upload`;
    const modes = {
      ceiling: () => ceiling(file, discard.info.tcp, sizeBytes),
      'PUT: curl -T': async () => {
        const run = await runCurl('curl -T', ['-T', file, url]);
        verify('curl -T', run.stdout, sizeBytes);
        return run;
      },
      'PUT: @x/transport fileBody': async () => {
        const run = await runOurs(() =>
          transport.request({ method: 'PUT', path: '/upload', body: fileBody(file), responseType: 'text' }),
        );
        verify('transport PUT', run.output.body, sizeBytes);
        return run;
      },
      'multipart: curl -F': async () => {
        const run = await runCurl('curl -F', [
          '-F',
          'purpose=batch',
          '-F',
          `file=@${file};filename=data.bin`,
          url,
        ]);
        verify('curl -F', run.stdout, sizeBytes);
        return run;
      },
      'multipart: @x/transport multipartBody': async () => {
        const run = await runOurs(() =>
          transport.request({
            method: 'POST',
            path: '/upload',
            responseType: 'text',
            body: multipartBody([
              { name: 'purpose', value: 'batch' },
              { name: 'file', file, fileName: 'data.bin' },
            ]),
          }),
        );
        verify('transport multipart', run.output.body, sizeBytes);
        return run;
      },
      'temp storage: curl PostObject (policy fetched first)': () => curlPostObject(emulator, file),
      'temp storage: @x/temp-oss upload': async () => {
        const run = await runOurs(() => storage.upload(file, { model }));
        if (run.output.sizeBytes !== sizeBytes) throw new Error(`temp-oss uploaded ${run.output.sizeBytes}`);
        return run;
      },
    };
    const references = {
      'PUT: @x/transport fileBody': 'PUT: curl -T',
      'multipart: @x/transport multipartBody': 'multipart: curl -F',
      'temp storage: @x/temp-oss upload': 'temp storage: curl PostObject (policy fetched first)',
    };
    // Warm the page cache, the connections and the policy cache, then interleave the rounds.
    for (const run of Object.values(modes)) await run();
    const samples = await interleavedRounds(modes, rounds);
    await storage.close();
    await emulator.stop();
    rmSync(file);

    const best = (name) => Math.min(...samples[name].map((sample) => sample.ms));
    const peak = (name, field) => Math.max(...samples[name].map((sample) => sample[field] ?? 0));
    const mbs = (name) => mbPerSecond(sizeBytes, best(name));
    const rows = Object.keys(modes).map((name) => {
      const isOurs = name.includes('@x/');
      const reference = references[name];
      addPoint('throughput', name, sizeBytes, mbs(name), !isOurs);
      if (name !== 'ceiling') {
        addPoint(
          'rss',
          isOurs ? `${name} (growth)` : `${name} (process)`,
          sizeBytes,
          mib(peak(name, isOurs ? 'growthBytes' : 'peakRssBytes')),
          !isOurs,
        );
      }
      return {
        how: name,
        [`best of ${rounds} (ms)`]: best(name).toFixed(0),
        'MB/s': mbs(name).toFixed(0),
        'vs curl': reference ? ratio(mbs(name), mbs(reference)) : '',
        'vs ceiling': ratio(mbs(name), mbs('ceiling')),
        'peak RSS (MiB)': name === 'ceiling' ? '' : mib(peak(name, 'peakRssBytes')).toFixed(1),
        'peak RSS growth (MiB)': isOurs ? mib(peak(name, 'growthBytes')).toFixed(1) : '',
      };
    });
    sizeTables.push({ title: sizeLabel(sizeBytes), columns: Object.keys(rows[0]), rows });
    const label = sizeLabel(sizeBytes);
    const ours = 'temp storage: @x/temp-oss upload';
    const curl = references[ours];
    summary.push({
      figure: `temp-oss upload ${label}, MB/s`,
      ours: mbs(ours).toFixed(0),
      reference: `${mbs(curl).toFixed(0)} (curl)`,
      ratio: ratio(mbs(ours), mbs(curl)),
      goal: '>= 0.8',
      isMet: mbs(ours) / mbs(curl) >= 0.8,
    });
    summary.push({
      figure: `temp-oss upload ${label}, share of the TCP ceiling`,
      ours: mbs(ours).toFixed(0),
      reference: `${mbs('ceiling').toFixed(0)} (ceiling)`,
      ratio: ratio(mbs(ours), mbs('ceiling')),
    });
    if (sizeBytes === sizes.at(-1)) {
      for (const name of ['PUT: @x/transport fileBody', 'multipart: @x/transport multipartBody']) {
        summary.push({
          figure: `${name.split(':')[0]} ${label} through @x/transport, MB/s`,
          ours: mbs(name).toFixed(0),
          reference: `${mbs(references[name]).toFixed(0)} (curl)`,
          ratio: ratio(mbs(name), mbs(references[name])),
          goal: '>= 0.8',
          isMet: mbs(name) / mbs(references[name]) >= 0.8,
        });
      }
      summary.push({
        figure: `temp-oss peak RSS growth at ${label}, MiB`,
        ours: mib(peak(ours, 'growthBytes')).toFixed(1),
        reference: `${mib(peak(curl, 'peakRssBytes')).toFixed(1)} (curl process)`,
        ratio: '',
        goal: '< 64',
        isMet: mib(peak(ours, 'growthBytes')) < 64,
      });
    }
  }
} finally {
  await transport.close();
  await discard.stop();
  folder.remove();
}

const tickLabels = Object.fromEntries(sizes.map((size) => [size, sizeLabel(size)]));
reportSection({
  name: 'upload',
  title: 'Uploads over loopback: @x/transport and @x/temp-oss vs curl, and the TCP ceiling',
  description:
    `Generated files, page cache warm, best of ${rounds} interleaved rounds after a warm-up, the order rotating each round, with the disk synced before every run. PUT and multipart go to a discarding HTTP server ` +
    '(each run checked: content-length present and equal to the bytes received); temporary storage goes to the emulator, which streams the object to disk. ' +
    'The ceiling pipes the file into a raw TCP socket to a discarding server.',
  summary,
  charts: [
    {
      id: 'throughput',
      title: 'Upload throughput against file size',
      x: { label: 'file size', scale: 'log', tickLabels },
      y: { label: 'MB/s' },
      series: [...(series.throughput?.values() ?? [])],
    },
    {
      id: 'rss',
      title: 'Upload peak RSS against file size',
      x: { label: 'file size', scale: 'log', tickLabels },
      y: { label: 'MiB' },
      series: [...(series.rss?.values() ?? [])],
    },
  ],
  tables: sizeTables,
  notes: [
    'Goals: each upload >= 0.8 of curl for the same request; peak RSS growth flat in the file size (< 64 MiB at 1 GiB).',
    "Peak RSS: ours is this Node process (growth = above its RSS before the upload); curl's is the curl process (/usr/bin/time %M). curl's temporary storage time includes its getPolicy call, as temp-oss's first upload does; later temp-oss uploads reuse the cached policy.",
  ],
});
