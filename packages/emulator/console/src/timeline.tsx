import type { CallRecord } from '../../src/call-record.js';
import type { ConsoleSnapshot } from '../../src/console/console-snapshot.js';
import { formatBytes, formatLatency, formatTime } from './format.js';

/** What the timeline shows. */
export interface TimelineFilter {
  /** Matched against method, path, route, status and reason. */
  readonly text: string;
  /** Only refused, dropped or faulted calls. */
  readonly rejectedOnly: boolean;
  /** Only these calls (the requests behind a table row). */
  readonly callIds?: readonly number[];
  /** What `callIds` are for. */
  readonly label?: string;
}

/** Most rows rendered at once; the rest stay reachable through the filter and the admin API. */
const maxRows = 200;

function isRejected(call: CallRecord): boolean {
  return call.status === 0 || call.status >= 400 || call.fault !== undefined;
}

/** The request timeline, latest arrival first: every call with its status, bytes, latency, rejection reason and fault. */
export function Timeline({
  snapshot,
  filter,
  onFilter,
}: {
  snapshot: ConsoleSnapshot;
  filter: TimelineFilter;
  onFilter: (filter: TimelineFilter) => void;
}) {
  const needle = filter.text.trim().toLowerCase();
  const only = filter.callIds === undefined ? undefined : new Set(filter.callIds);
  const calls = snapshot.calls
    .filter((call) => only === undefined || only.has(call.id))
    .filter((call) => !filter.rejectedOnly || isRejected(call))
    .filter(
      (call) =>
        needle === '' ||
        `${call.method} ${call.path} ${call.route} ${call.status} ${call.reason ?? ''} ${call.fault ?? ''}`
          .toLowerCase()
          .includes(needle),
    )
    .sort((left, right) => right.startedAtMs - left.startedAtMs || right.id - left.id);
  const shown = calls.slice(0, maxRows);
  return (
    <section aria-labelledby="timeline-title" class="panel" id="timeline" tabIndex={-1}>
      <div class="panel-head">
        <h2 id="timeline-title">
          Request timeline <span class="count">{snapshot.calls.length}</span>
        </h2>
        <label class="filter">
          <span class="visually-hidden">Filter requests</span>
          <input
            type="search"
            placeholder="Filter"
            value={filter.text}
            onInput={(event) => onFilter({ ...filter, text: event.currentTarget.value })}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={filter.rejectedOnly}
            onChange={(event) => onFilter({ ...filter, rejectedOnly: event.currentTarget.checked })}
          />{' '}
          refused and faulted only
        </label>
      </div>
      {filter.callIds !== undefined && (
        <p class="subject">
          Requests for <code>{filter.label}</code>{' '}
          <button type="button" class="link" onClick={() => onFilter({ text: '', rejectedOnly: false })}>
            Show all requests
          </button>
        </p>
      )}
      {shown.length === 0 ? (
        <p class="muted">No request yet.</p>
      ) : (
        <div class="scroll">
          <table class="timeline">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Request</th>
                <th scope="col">Route</th>
                <th scope="col">Status</th>
                <th scope="col" class="minor">
                  In / out
                </th>
                <th scope="col" class="minor">
                  Latency
                </th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((call) => (
                <tr
                  key={call.id}
                  data-call-id={call.id}
                  data-route={call.route}
                  data-status={call.status}
                  data-fault={call.fault ?? ''}
                  class={call.fault !== undefined ? 'faulted' : isRejected(call) ? 'rejected' : undefined}
                >
                  <td>{call.id}</td>
                  <td class="nowrap">
                    <time dateTime={new Date(call.startedAtMs).toISOString()}>
                      {formatTime(call.startedAtMs)}
                    </time>
                  </td>
                  <td class="request">
                    <span class="method">{call.method}</span> <code>{call.path}</code>
                  </td>
                  <td>{call.route === '' ? '—' : call.route}</td>
                  <td>
                    <span class={`code s${Math.floor(call.status / 100)}`}>
                      {call.status === 0 ? 'dropped' : call.status}
                    </span>
                    {call.fault !== undefined && <span class="badge fault">injected {call.fault}</span>}
                  </td>
                  <td class="minor nowrap">
                    {formatBytes(call.requestBytes)} / {formatBytes(call.responseBytes)}
                  </td>
                  <td class="minor nowrap">{formatLatency(call.durationMs)}</td>
                  <td class="reason">{call.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {calls.length > shown.length && (
            <p class="muted">{calls.length - shown.length} older requests not shown; filter to find them.</p>
          )}
        </div>
      )}
    </section>
  );
}
