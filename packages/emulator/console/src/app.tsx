import { useEffect, useState } from 'preact/hooks';
import type { ConsoleSnapshot } from '../../src/console/console-snapshot.js';
import { Controls } from './controls.js';
import { formatDateTime } from './format.js';
import { Gauges } from './gauges.js';
import { Tables } from './tables.js';
import { Timeline, type TimelineFilter } from './timeline.js';

/** The console: one snapshot from the event stream at a time, rendered whole. */
export function App() {
  const [snapshot, setSnapshot] = useState<ConsoleSnapshot | undefined>(undefined);
  const [isLive, setLive] = useState(false);
  const [filter, setFilter] = useState<TimelineFilter>({ text: '', rejectedOnly: false });

  useEffect(() => {
    const events = new EventSource('/__emulator/events');
    events.addEventListener('snapshot', (event) => {
      setSnapshot(JSON.parse((event as MessageEvent<string>).data) as ConsoleSnapshot);
      setLive(true);
    });
    events.addEventListener('error', () => setLive(false));
    return () => events.close();
  }, []);

  if (snapshot === undefined) return <p class="loading">Connecting to the emulator…</p>;

  const showCalls = (label: string, ids: readonly number[]) => {
    setFilter({ text: '', rejectedOnly: false, callIds: ids, label });
    document.getElementById('timeline')?.focus();
  };

  return (
    <>
      <header class="bar">
        <h1>Model Studio emulator</h1>
        <p class="clock">
          <span class="muted">emulated clock</span>{' '}
          <time data-testid="clock" dateTime={new Date(snapshot.nowMs).toISOString()}>
            {formatDateTime(snapshot.nowMs)} UTC
          </time>
        </p>
        <p class={isLive ? 'status live' : 'status'} role="status">
          {isLive ? 'live' : 'reconnecting…'} · {snapshot.totalCalls} calls
        </p>
      </header>
      <main>
        <Controls snapshot={snapshot} />
        <Gauges snapshot={snapshot} />
        <Tables snapshot={snapshot} onShowCalls={showCalls} />
        <Timeline snapshot={snapshot} filter={filter} onFilter={setFilter} />
      </main>
    </>
  );
}
