import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** One file's bar. */
export interface ProgressItem {
  /** Sets the bytes done (and the total, once known). */
  update(loadedBytes: number, totalBytes?: number): void;
}

/** Progress of a command's files: bars on a terminal, nothing otherwise. */
export interface Progress {
  /** A bar for one file (a no-op when bars are off). */
  item(label: string, totalBytes?: number): ProgressItem;
  /** Removes the bars' timer and leaves the final state on screen. Safe to call twice. */
  stop(): void;
  /** Whether bars are on screen now (a terminal, not stopped). */
  readonly isShown: boolean;
  /** Holds a line for `stream` until the bars are stopped, so it never tears a bar apart. */
  log(stream: NodeJS.WriteStream, text: string): void;
}

const silent: Progress = {
  item: () => ({ update() {} }),
  stop() {},
  isShown: false,
  log(stream, text) {
    stream.write(text);
  },
};

/**
 * Progress bars on `stream` (stderr) when it is a terminal and neither `--json` nor `--quiet` was given; a silent
 * stand-in otherwise, so piped output and JSON never carry bar characters.
 */
export function createProgress(options: { stream: NodeJS.WriteStream; isEnabled: boolean }): Progress {
  if (!options.isEnabled || !options.stream.isTTY) return silent;
  const bars = new MultiBar(
    {
      format: '  {label} |{bar}| {percentage}% {value}/{total} bytes',
      hideCursor: true,
      stream: options.stream,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 10,
      barsize: 24,
    },
    Presets.shades_classic,
  );
  const width = 24;
  let isStopped = false;
  const held: [NodeJS.WriteStream, string][] = [];
  return {
    item(label, totalBytes) {
      const shown = label.length > width ? `…${label.slice(-(width - 1))}` : label.padEnd(width);
      const bar: SingleBar = bars.create(totalBytes ?? 1, 0, { label: shown });
      return {
        update(loadedBytes, total) {
          if (isStopped) return;
          if (total !== undefined && total !== bar.getTotal()) bar.setTotal(total);
          bar.update(loadedBytes);
        },
      };
    },
    stop() {
      if (isStopped) return;
      isStopped = true;
      bars.stop();
      for (const [stream, text] of held.splice(0)) stream.write(text);
    },
    get isShown() {
      return !isStopped;
    },
    log(stream, text) {
      if (isStopped) stream.write(text);
      else held.push([stream, text]);
    },
  };
}
