import { useState } from 'preact/hooks';
import type { ConsoleSnapshot } from '../../src/console/console-snapshot.js';
import { advanceClock, clearFaults, faultKinds, injectFault, resetEmulator } from './admin.js';

/** Route names fault rules can target (README, Routes). */
const routes = [
  '*',
  'dashscope.getPolicy',
  'oss.*',
  'oss.postObject',
  'oss.putObject',
  'dashscope.chatCompletions',
  'dashscope.multimodalGeneration',
  'files.upload',
  'files.list',
  'files.retrieve',
  'files.delete',
  'ApplyFileUploadLease',
  'AddFile',
  'DescribeFile',
  'ListFile',
  'DeleteFile',
];

const units: Record<string, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000 };

/** Fault injection, clock and reset, through the admin API; every outcome is announced in a live region. */
export function Controls({ snapshot }: { snapshot: ConsoleSnapshot }) {
  const [route, setRoute] = useState('oss.postObject');
  const [kind, setKind] = useState('503');
  const [times, setTimes] = useState(1);
  const [amount, setAmount] = useState(5);
  const [unit, setUnit] = useState('minutes');
  const [message, setMessage] = useState('');

  const run = async (action: () => Promise<void>, done: string) => {
    try {
      await action();
      setMessage(done);
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <section aria-labelledby="controls-title" class="panel">
      <h2 id="controls-title">Controls</h2>
      <div class="controls">
        <form
          class="control"
          aria-labelledby="fault-title"
          onSubmit={(event) => {
            event.preventDefault();
            void run(
              () => injectFault({ route, kind, times }),
              `Fault added: ${faultKinds[kind]?.label} on the next ${times} ${route} request${times === 1 ? '' : 's'}.`,
            );
          }}
        >
          <h3 id="fault-title">Inject a fault</h3>
          <label>
            Route
            <select name="route" value={route} onChange={(event) => setRoute(event.currentTarget.value)}>
              {routes.map((name) => (
                <option key={name} value={name}>
                  {name === '*' ? 'every route' : name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Kind
            <select name="kind" value={kind} onChange={(event) => setKind(event.currentTarget.value)}>
              {Object.entries(faultKinds).map(([value, { label }]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Count
            <input
              name="times"
              type="number"
              min={1}
              max={1000}
              required
              value={times}
              onInput={(event) => setTimes(Math.max(1, Number(event.currentTarget.value) || 1))}
            />
          </label>
          <button type="submit">Inject fault</button>
        </form>

        <form
          class="control"
          aria-labelledby="clock-title"
          onSubmit={(event) => {
            event.preventDefault();
            const advanceMs = amount * (units[unit] ?? 1000);
            void run(() => advanceClock(advanceMs), `Clock advanced by ${amount} ${unit}.`);
          }}
        >
          <h3 id="clock-title">Advance the clock</h3>
          <label>
            By
            <input
              name="amount"
              type="number"
              min={1}
              required
              value={amount}
              onInput={(event) => setAmount(Math.max(1, Number(event.currentTarget.value) || 1))}
            />
          </label>
          <label>
            Unit
            <select name="unit" value={unit} onChange={(event) => setUnit(event.currentTarget.value)}>
              {Object.keys(units).map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Advance clock</button>
          <button
            type="button"
            onClick={() => void run(() => advanceClock(48 * 3_600_000), 'Clock advanced by 48 hours.')}
          >
            +48 h
          </button>
        </form>

        <div class="control">
          <h3>State</h3>
          <p class="muted">
            Reset clears calls, faults and quotas and puts the clock back; objects and files stay.
          </p>
          <button type="button" onClick={() => void run(resetEmulator, 'Emulator reset.')}>
            Reset
          </button>
        </div>
      </div>

      <h3 id="pending-title">Pending faults</h3>
      {snapshot.faults.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <>
          <ul class="faults" aria-labelledby="pending-title">
            {snapshot.faults.map((fault) => (
              <li key={fault.id}>
                <span class="badge fault">{fault.fault}</span> on{' '}
                {fault.route === '*' ? 'every route' : fault.route},{' '}
                {fault.remaining === 'always' ? 'always' : `${fault.remaining} left`}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => void run(clearFaults, 'Faults cleared.')}>
            Clear faults
          </button>
        </>
      )}
      <p class="message" role="status" aria-live="polite">
        {message}
      </p>
    </section>
  );
}
