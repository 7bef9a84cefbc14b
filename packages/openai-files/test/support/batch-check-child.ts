// Runs the built package (as a user would). Uploads one batch file that the client refuses, in a process of its own, and reports what the check held on to:
// the peak of heap + array buffers above the starting point, each reading taken right after a full collection, so
// garbage not yet collected is not counted. Prints one JSON line.
import { BatchInputError, createFilesClient } from '@x/openai-files';

const [path, url, apiKey] = process.argv.slice(2) as [string, string, string];
const collect = globalThis.gc;
if (typeof collect !== 'function') throw new Error('run with --expose-gc');
const used = () => {
  collect();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
};
const files = createFilesClient({ apiKey, baseUrl: url });
const baselineBytes = used();
let peakBytes = baselineBytes;
const sampler = setInterval(() => {
  peakBytes = Math.max(peakBytes, used());
}, 250);
const error = await files.upload(path, { purpose: 'batch' }).catch((caught: unknown) => caught);
clearInterval(sampler);
peakBytes = Math.max(peakBytes, used());
await files.close();
const refused = BatchInputError.isInstance(error) ? error : undefined;
process.stdout.write(
  `${JSON.stringify({
    growthBytes: peakBytes - baselineBytes,
    code: refused?.code ?? String(error),
    lineNumber: refused?.lineNumber,
    reason: refused?.reason,
  })}\n`,
);
