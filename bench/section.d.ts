// The shape a bench section reports through `reportSection` (bench/lib.mjs). See bench/README.md.

/** One line of the summary table at the top of latest.md. */
export interface SummaryRow {
  /** What is measured, with its unit: `1 GiB upload, MB/s`. */
  readonly figure: string;
  /** Our figure, formatted. */
  readonly ours: string;
  /** The reference's figure in the same run, formatted. */
  readonly reference: string;
  /** Above 1 is better for us (throughput ours / reference; time and memory reference / ours). */
  readonly ratio: string;
  /** The goal, if there is one: `>= 0.95`. */
  readonly goal?: string;
  /** Whether the goal was met; printed, never gating. */
  readonly isMet?: boolean;
}

/** A table; columns name the keys of each row. */
export interface Table {
  readonly title?: string;
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, string | number | boolean>[];
  readonly note?: string;
}

/** A line chart, written as <section>-<id>.svg beside latest.md. */
export interface Chart {
  /** File-name part, kebab-case. */
  readonly id: string;
  readonly title: string;
  /** `scale: 'log'` puts a tick at every x value (file sizes); `tickLabels` names them. */
  readonly x: {
    readonly label: string;
    readonly scale?: 'linear' | 'log';
    readonly tickLabels?: Record<string, string>;
  };
  readonly y: { readonly label: string };
  readonly series: readonly {
    readonly name: string;
    readonly points: readonly [number, number][];
    readonly isReference?: boolean;
  }[];
  /** Dashed horizontal lines, such as a limit. */
  readonly referenceLines?: readonly { readonly y: number; readonly label: string }[];
}

/** What a section reports. */
export interface SectionResult {
  /** The section's name (its file is bench/<name>.bench.mjs). */
  readonly name: string;
  readonly title: string;
  /** A paragraph under the title: what runs against what. */
  readonly description?: string;
  readonly summary?: readonly SummaryRow[];
  readonly tables?: readonly Table[];
  readonly charts?: readonly Chart[];
  readonly notes?: readonly string[];
}
