import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { CallRecord } from '../call-record.js';
import type { Emulator } from '../create-emulator.js';
import { drainRequest } from '../http-reply.js';
import type { QuotaUsage } from '../sliding-window.js';
import { buildConsoleSnapshot, createConsoleMemory } from './console-state.js';

/** What the web console reads from the emulator that mounts it. */
export interface ConsoleSurfaceOptions {
  /** The running emulator (its calls, state, clock and faults). */
  emulator(): Emulator;
  /** Use of every quota key. */
  quotas(): QuotaUsage[];
  /** Whether quotas are enforced. */
  readonly isRateLimited: boolean;
  /** Subscribes to every call record as it is logged; returns the unsubscribe function. */
  onCall(listener: (call: CallRecord) => void): () => void;
  /**
   * Folder of the built page (`index.html`, `app.js`, `app.css`).
   * @default `dist/console` of the package
   */
  readonly assetsDir?: string;
}

/** The web console: a page, its assets and a Server-Sent Events stream, all under `/__emulator/`. */
export interface ConsoleSurface {
  /** Whether a request is the console's (the page, an asset or the event stream). */
  match(method: string, url: URL): boolean;
  /** Answers a request `match` accepted. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void>;
  /** Ends every event stream and stops the timers. */
  close(): void;
}

const contentTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  map: 'application/json; charset=utf-8',
};

/** How often every open console gets a fresh snapshot even when no call arrives (clock, countdowns, faults). */
const refreshIntervalMs = 1000;
/** How long a call waits for others before the snapshot it triggers is sent. */
const batchDelayMs = 100;

/**
 * Creates the web console surface. `GET /__emulator/` serves the page, `GET /__emulator/console/<file>` its built
 * assets, and `GET /__emulator/events` a Server-Sent Events stream of {@link ConsoleSnapshot}s: one at once, one
 * shortly after each call, and one every second. The page's controls use the admin API.
 *
 * @example
 * ```ts
 * const webConsole = createConsoleSurface({ emulator: () => view, quotas: () => window.usage(), isRateLimited, onCall });
 * if (webConsole.match(method, url)) await webConsole.handle(request, response, url);
 * ```
 */
export function createConsoleSurface(options: ConsoleSurfaceOptions): ConsoleSurface {
  const memory = createConsoleMemory();
  const streams = new Set<() => void>();
  // Objects are remembered (to show them expired later) while a console watches; snapshots remember the rest.
  const unsubscribeMemory = options.onCall((call) => {
    if (streams.size > 0 && call.route === 'oss.postObject' && call.status >= 200 && call.status < 300) {
      memory.remember(options.emulator());
    }
  });
  let assetsDir: string | undefined = options.assetsDir;

  const snapshot = () =>
    buildConsoleSnapshot(options.emulator(), memory, options.quotas(), options.isRateLimited);

  async function serveAsset(response: ServerResponse, name: string): Promise<void> {
    assetsDir ??= findAssetsDir();
    const extension = name.slice(name.lastIndexOf('.') + 1);
    const type = contentTypes[extension];
    if (assetsDir === undefined || type === undefined || !/^[\w-]+\.[\w.]+$/.test(name)) {
      return sendText(response, 404, `No console asset ${name}`);
    }
    let body: Buffer;
    try {
      body = await readFile(`${assetsDir}/${name}`);
    } catch {
      return sendText(response, 404, `No console asset ${name}`);
    }
    response.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // Everything comes from the emulator itself: no other origin is ever contacted.
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'",
    });
    response.end(body);
  }

  function streamEvents(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write('retry: 1000\n\n');
    let pending: NodeJS.Timeout | undefined;
    const send = () => {
      pending = undefined;
      response.write(`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
    };
    const unsubscribe = options.onCall(() => {
      pending ??= setTimeout(send, batchDelayMs);
    });
    const interval = setInterval(send, refreshIntervalMs);
    const stop = () => {
      unsubscribe();
      clearInterval(interval);
      clearTimeout(pending);
      streams.delete(stop);
      response.end();
    };
    streams.add(stop);
    request.once('close', stop);
    send();
  }

  return {
    match(method, url) {
      const path = url.pathname;
      if (method !== 'GET' && (method !== 'HEAD' || path === '/__emulator/events')) return false;
      return (
        path === '/__emulator' ||
        path === '/__emulator/' ||
        path === '/__emulator/events' ||
        path.startsWith('/__emulator/console/')
      );
    },
    async handle(request, response, url) {
      await drainRequest(request);
      const path = url.pathname;
      if (path === '/__emulator') {
        response.writeHead(308, { location: '/__emulator/', 'content-length': 0 });
        response.end();
        return;
      }
      if (path === '/__emulator/events') return streamEvents(request, response);
      if (path === '/__emulator/') return serveAsset(response, 'index.html');
      return serveAsset(response, path.slice('/__emulator/console/'.length));
    },
    close() {
      unsubscribeMemory();
      for (const stop of [...streams]) stop();
    },
  };
}

/** The built page: `dist/console` beside the bundle, or, when running from the sources, the package's `dist/console`. */
function findAssetsDir(): string | undefined {
  for (const relative of ['./console/', '../../dist/console/']) {
    const directory = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${directory}index.html`)) return directory;
  }
  return undefined;
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
