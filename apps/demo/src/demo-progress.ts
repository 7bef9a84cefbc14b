import { MultiBar, Presets } from 'cli-progress';

/** One file's progress within a flow. */
export interface ProgressItem {
  update(loadedBytes: number, totalBytes?: number): void;
  /** A step of the flow (`processed`, `PARSE_SUCCESS`, ...): shown in the bar, or as a line when not on a terminal. */
  step(text: string): void;
}

/** Progress of one flow: bars on a terminal, one line per step otherwise. */
export interface DemoProgress {
  item(label: string): ProgressItem;
  stop(): void;
}

/** Bars on stdout when it is a terminal; plain lines otherwise (logs and pipes get no control characters). */
export function createDemoProgress(stream: NodeJS.WriteStream = process.stdout): DemoProgress {
  if (!stream.isTTY) {
    return {
      item(label) {
        let lastTotal: number | undefined;
        return {
          update(loadedBytes, totalBytes) {
            if (totalBytes !== undefined && loadedBytes === totalBytes && lastTotal !== totalBytes) {
              lastTotal = totalBytes;
              stream.write(`  ${label}: uploaded ${totalBytes} bytes\n`);
            }
          },
          step(text) {
            stream.write(`  ${label}: ${text}\n`);
          },
        };
      },
      stop() {},
    };
  }
  const bars = new MultiBar(
    {
      format: '  {label} |{bar}| {percentage}% {value}/{total} bytes {step}',
      hideCursor: true,
      stream,
      barsize: 24,
      fps: 10,
    },
    Presets.shades_classic,
  );
  let isStopped = false;
  return {
    item(label) {
      const bar = bars.create(1, 0, { label: label.padEnd(18).slice(0, 18), step: '' });
      return {
        update(loadedBytes, totalBytes) {
          if (isStopped) return;
          if (totalBytes !== undefined && totalBytes !== bar.getTotal()) bar.setTotal(totalBytes);
          bar.update(loadedBytes);
        },
        step(text) {
          if (!isStopped) bar.update({ step: text });
        },
      };
    },
    stop() {
      if (isStopped) return;
      isStopped = true;
      bars.stop();
    },
  };
}
