import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ConsoleSnapshot } from '../../src/console/console-snapshot.js';
import { formatBytes, formatDateTime, formatSpan } from './format.js';
import { relatedCallIds } from './related-calls.js';

/** Shows the calls with these ids in the timeline, under a label. */
export type ShowCalls = (label: string, callIds: readonly number[]) => void;

interface Column<Row> {
  readonly title: string;
  readonly cell: (row: Row) => ComponentChildren;
  /** Hidden first on a narrow window. */
  readonly isMinor?: boolean;
}

interface DataTableProps<Row> {
  readonly id: string;
  readonly title: string;
  readonly empty: string;
  readonly rows: readonly Row[];
  readonly columns: readonly Column<Row>[];
  /** Stable row key, also put on the row as `data-key`. */
  readonly rowKey: (row: Row) => string;
  /** Text the filter box matches. */
  readonly text: (row: Row) => string;
  /** Identifiers whose calls the row links to. */
  readonly identifiers: (row: Row) => readonly string[];
  readonly snapshot: ConsoleSnapshot;
  readonly onShowCalls: ShowCalls;
}

function DataTable<Row>(props: DataTableProps<Row>) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const rows =
    needle === '' ? props.rows : props.rows.filter((row) => props.text(row).toLowerCase().includes(needle));
  return (
    <section aria-labelledby={`${props.id}-title`} class="panel" id={props.id}>
      <div class="panel-head">
        <h2 id={`${props.id}-title`}>
          {props.title} <span class="count">{props.rows.length}</span>
        </h2>
        <label class="filter">
          <span class="visually-hidden">Filter {props.title}</span>
          <input
            type="search"
            placeholder="Filter"
            value={filter}
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </label>
      </div>
      {rows.length === 0 ? (
        <p class="muted">{props.rows.length === 0 ? props.empty : 'Nothing matches the filter.'}</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                {props.columns.map((column) => (
                  <th key={column.title} scope="col" class={column.isMinor ? 'minor' : undefined}>
                    {column.title}
                  </th>
                ))}
                <th scope="col">Requests</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const key = props.rowKey(row);
                const callIds = relatedCallIds(props.snapshot.calls, props.identifiers(row));
                return (
                  <tr key={key} data-key={key}>
                    {props.columns.map((column) => (
                      <td key={column.title} class={column.isMinor ? 'minor' : undefined}>
                        {column.cell(row)}
                      </td>
                    ))}
                    <td>
                      <button
                        type="button"
                        class="link"
                        disabled={callIds.length === 0}
                        onClick={() => props.onShowCalls(key, callIds)}
                      >
                        {callIds.length} {callIds.length === 1 ? 'request' : 'requests'}
                        <span class="visually-hidden"> for {key}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function State({ value }: { value: string }) {
  const tone = /success|processed|uploaded|live|completed|ready/i.test(value)
    ? 'good'
    : /fail|error|expired|deleted|different/i.test(value)
      ? 'bad'
      : 'busy';
  return <span class={`state ${tone}`}>{value}</span>;
}

/** The four live tables: temporary objects, Files API files, batches, knowledge-base documents. */
export function Tables({ snapshot, onShowCalls }: { snapshot: ConsoleSnapshot; onShowCalls: ShowCalls }) {
  const common = { snapshot, onShowCalls };
  const fileColumns = [
    { title: 'ID', cell: (file: (typeof snapshot.files)[number]) => <code>{file.id}</code> },
    { title: 'Name', cell: (file: (typeof snapshot.files)[number]) => file.filename },
    { title: 'Purpose', cell: (file: (typeof snapshot.files)[number]) => file.purpose, isMinor: true },
    {
      title: 'Status',
      cell: (file: (typeof snapshot.files)[number]) => (
        <>
          <State value={file.status} />
          {file.statusDetails !== null && <span class="detail"> {file.statusDetails}</span>}
        </>
      ),
    },
    { title: 'Size', cell: (file: (typeof snapshot.files)[number]) => formatBytes(file.bytes) },
    {
      title: 'Created',
      cell: (file: (typeof snapshot.files)[number]) => formatDateTime(file.createdAtMs),
      isMinor: true,
    },
  ];
  const fileProps = {
    rowKey: (file: (typeof snapshot.files)[number]) => file.id,
    text: (file: (typeof snapshot.files)[number]) =>
      `${file.id} ${file.filename} ${file.status} ${file.account}`,
    identifiers: (file: (typeof snapshot.files)[number]) => [file.id],
  };
  return (
    <>
      <DataTable
        {...common}
        id="objects"
        title="Temporary objects"
        empty="No object in temporary storage yet (getPolicy, then OSS PostObject)."
        rows={snapshot.objects}
        rowKey={(object) => object.key}
        text={(object) => `${object.key} ${object.model ?? ''} ${object.account ?? ''} ${object.state}`}
        identifiers={(object) => [object.key]}
        columns={[
          { title: 'Key', cell: (object) => <code class="key">oss://{object.key}</code> },
          { title: 'Model', cell: (object) => object.model ?? '—', isMinor: true },
          { title: 'Size', cell: (object) => formatBytes(object.sizeBytes) },
          {
            title: 'Expires',
            cell: (object) =>
              object.state === 'expired' ? (
                <State value="expired" />
              ) : (
                <span title={formatDateTime(object.expiresAtMs)}>
                  <State value="live" /> in {formatSpan(object.expiresAtMs - snapshot.nowMs)}
                </span>
              ),
          },
        ]}
      />
      <DataTable
        {...common}
        {...fileProps}
        id="files"
        title="Files API files"
        empty="No file uploaded to the Files API yet."
        rows={snapshot.files}
        columns={fileColumns}
      />
      <DataTable
        {...common}
        id="batches"
        title="Batches"
        empty="No batch yet (POST /compatible-mode/v1/batches with a purpose=batch input file)."
        rows={snapshot.batches}
        rowKey={(batch) => batch.id}
        text={(batch) => `${batch.id} ${batch.status} ${batch.inputFileId} ${batch.outputFileId ?? ''}`}
        identifiers={(batch) => [batch.id]}
        columns={[
          { title: 'ID', cell: (batch) => <code>{batch.id}</code> },
          { title: 'Status', cell: (batch) => <State value={batch.status} /> },
          { title: 'Input', cell: (batch) => <code>{batch.inputFileId}</code>, isMinor: true },
          {
            title: 'Output',
            cell: (batch) => (batch.outputFileId === null ? '—' : <code>{batch.outputFileId}</code>),
          },
          {
            title: 'Errors',
            cell: (batch) => (batch.errorFileId === null ? '—' : <code>{batch.errorFileId}</code>),
            isMinor: true,
          },
        ]}
      />
      <DataTable
        {...common}
        id="documents"
        title="Knowledge-base documents"
        empty="No upload lease yet (ApplyFileUploadLease, PUT, AddFile, DescribeFile)."
        rows={snapshot.documents}
        rowKey={(document) => document.leaseId}
        text={(document) =>
          `${document.fileName} ${document.leaseId} ${document.fileId ?? ''} ${document.parseStatus ?? ''}`
        }
        identifiers={(document) => [
          document.leaseId,
          document.objectKey,
          document.fileId ?? '',
          ...document.indexJobIds,
        ]}
        columns={[
          { title: 'Name', cell: (document) => document.fileName },
          {
            title: 'Lease',
            cell: (document) => <code>{document.leaseId.slice(0, 12)}…</code>,
            isMinor: true,
          },
          { title: 'Upload', cell: (document) => <State value={document.upload} /> },
          {
            title: 'AddFile',
            cell: (document) => (document.fileId === undefined ? '—' : <code>{document.fileId}</code>),
          },
          {
            title: 'Parse',
            cell: (document) =>
              document.parseStatus === undefined ? '—' : <State value={document.parseStatus} />,
          },
          {
            title: 'Index job',
            cell: (document) =>
              document.indexJobIds.length === 0 ? '—' : <code>{document.indexJobIds.join(', ')}</code>,
            isMinor: true,
          },
          { title: 'Size', cell: (document) => formatBytes(document.sizeBytes), isMinor: true },
        ]}
      />
    </>
  );
}
