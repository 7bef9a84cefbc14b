/** One line of the demo's summary: what a flow did with one file. */
export interface SummaryRow {
  /** The flow that produced the row, e.g. `temp-oss`. */
  readonly flow: string;
  /** The local file. */
  readonly file: string;
  /** Where the file ended up (an `oss://` URL, a file id...). */
  readonly url: string;
  /** When the service forgets it. */
  readonly expiresAt: Date | undefined;
  /** What the model said about it. */
  readonly answer: string;
  /** Time from the start of the upload to the model's answer. */
  readonly durationMs: number;
}

const columns: { title: string; maxWidth: number; cell: (row: SummaryRow) => string }[] = [
  { title: 'flow', maxWidth: 10, cell: (row) => row.flow },
  { title: 'file', maxWidth: 24, cell: (row) => row.file },
  { title: 'url', maxWidth: 160, cell: (row) => row.url },
  {
    title: 'expires (UTC)',
    maxWidth: 20,
    cell: (row) => row.expiresAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '-',
  },
  { title: 'model answer', maxWidth: 90, cell: (row) => row.answer.replace(/\s+/g, ' ') },
  { title: 'time', maxWidth: 10, cell: (row) => `${Math.round(row.durationMs)} ms` },
];

/** Renders rows as a plain-text table; long cells are cut with an ellipsis. */
export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const cells = rows.map((row) => columns.map((column) => clip(column.cell(row), column.maxWidth)));
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values.map((value, index) => value.padEnd(widths[index]!)).join('  ');
  return [
    line(columns.map((column) => column.title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ].join('\n');
}

function clip(value: string, maxWidth: number): string {
  return value.length <= maxWidth ? value : `${value.slice(0, maxWidth - 1)}…`;
}
