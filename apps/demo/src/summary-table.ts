/** One line of the demo's summary: what a flow did with one file. */
export interface SummaryRow {
  /** The flow: `temporary storage`, `Files API`, `knowledge base`. */
  readonly flow: string;
  /** The sample file. */
  readonly file: string;
  /** `OK`, or `FAILED` and the error's code. */
  readonly result: string;
  /** Where the file ended up: an `oss://` URL, a file id, a knowledge-base file id; or the error's message. */
  readonly url: string;
  /** Time the flow took for this file. */
  readonly durationMs: number;
}

const columns: { title: string; maxWidth: number; cell: (row: SummaryRow) => string }[] = [
  { title: 'flow', maxWidth: 18, cell: (row) => row.flow },
  { title: 'file', maxWidth: 24, cell: (row) => row.file },
  { title: 'result', maxWidth: 40, cell: (row) => row.result },
  { title: 'id or URL', maxWidth: 120, cell: (row) => row.url.replace(/\s+/g, ' ') },
  { title: 'time', maxWidth: 10, cell: (row) => `${Math.round(row.durationMs)} ms` },
];

/** Renders rows as a plain-text table; long cells are cut with an ellipsis. */
export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const cells = rows.map((row) => columns.map((column) => clip(column.cell(row), column.maxWidth)));
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index]!))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ].join('\n');
}

/** A failed step as a summary row: the error's code as the result, its first line as the detail. */
export function failedRow(flow: string, file: string, error: unknown, startedAtMs: number): SummaryRow {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  return {
    flow,
    file,
    result: `FAILED ${code}`,
    url: message.split('\n')[0] ?? '',
    durationMs: performance.now() - startedAtMs,
  };
}

function clip(value: string, maxWidth: number): string {
  return value.length <= maxWidth ? value : `${value.slice(0, maxWidth - 1)}…`;
}
