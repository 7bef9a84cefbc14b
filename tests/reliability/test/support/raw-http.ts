import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Emulator } from '@x/emulator';

/** What came back on a raw connection: the status of the first response (if any) and how the connection ended. */
export interface RawAnswer {
  readonly status: number | undefined;
  readonly text: string;
  /** The server closed (or reset) the connection before the client gave up. */
  readonly isClosedByServer: boolean;
}

/** Opens a TCP connection to the emulator. */
export async function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/**
 * Writes `chunks` on a fresh connection (optionally ending the write side), then reads until the server closes the
 * connection or `waitMs` passes, and reports the first status line seen.
 */
export async function rawExchange(
  url: string,
  chunks: readonly (string | Buffer)[],
  options: { endWrite?: boolean; waitMs?: number } = {},
): Promise<RawAnswer> {
  const socket = await openSocket(url);
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  // Not events.once: it rejects on 'error', and a server that resets a connection mid-write is an answer here.
  const closed = new Promise<true>((resolve) => socket.once('close', () => resolve(true)));
  for (const chunk of chunks) {
    if (!socket.write(chunk))
      await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
    if (socket.destroyed) break;
  }
  if (options.endWrite) socket.end();
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.waitMs ?? 5000));
  const isClosedByServer = await Promise.race([closed, timer]);
  socket.destroy();
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
  return { status: status === undefined ? undefined : Number(status), text, isClosedByServer };
}

/** Every regular file under `directory`, recursively. */
export async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The number of stored objects and files on every surface. */
export function storedCount(emulator: Emulator): number {
  return (
    emulator.state.dashscope.objects.length +
    emulator.state.files.files.length +
    emulator.state.bailian.objects.size
  );
}
