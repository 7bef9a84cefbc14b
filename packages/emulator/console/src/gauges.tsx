import type { ConsoleQuota, ConsoleSnapshot } from '../../src/console/console-snapshot.js';

const quotaNames: Record<string, string> = {
  'dashscope.getPolicy': 'getPolicy',
  'files.upload': 'Files API uploads',
  'files.query': 'Files API other calls',
};

/** `getPolicy · default · qwen-vl-plus` from `dashscope.getPolicy:default:qwen-vl-plus` (and `bailian:default:AddFile`). */
function quotaLabel(quota: ConsoleQuota): string {
  const [name = '', ...rest] = quota.key.split(':');
  if (name === 'bailian') {
    const action = rest.pop() ?? '';
    return [action, ...rest].join(' · ');
  }
  return [quotaNames[name] ?? name, ...rest].join(' · ');
}

function per(intervalMs: number): string {
  return intervalMs === 1000 ? 's' : `${intervalMs / 1000} s`;
}

/** One gauge per quota key: the peak use of a window against the limit, the use now, and the refusals. */
export function Gauges({ snapshot }: { snapshot: ConsoleSnapshot }) {
  return (
    <section aria-labelledby="quotas-title" class="panel">
      <h2 id="quotas-title">Quotas</h2>
      {!snapshot.isRateLimited && <p class="muted">Rate limits are off (limits.isRateLimited is false).</p>}
      {snapshot.isRateLimited && snapshot.quotas.length === 0 && (
        <p class="muted">
          No rate-limited call yet (getPolicy 100/s, Files API 3 uploads and 10 other calls/s, AddFile 10/s).
        </p>
      )}
      <ul class="gauges">
        {snapshot.quotas.map((quota) => {
          const level = quota.peak / quota.limit;
          const label = quotaLabel(quota);
          return (
            <li key={quota.key} class={level >= 1 ? 'gauge full' : level >= 0.8 ? 'gauge high' : 'gauge'}>
              <span class="gauge-name" id={`quota-${quota.key}`}>
                {label}
              </span>
              <meter
                aria-labelledby={`quota-${quota.key}`}
                min={0}
                max={quota.limit}
                low={quota.limit * 0.8}
                high={quota.limit * 0.99}
                optimum={0}
                value={quota.peak}
              />
              <span class="gauge-figures">
                peak {quota.peak} of {quota.limit}/{per(quota.intervalMs)} · now {quota.current}
                {quota.rejected > 0 && <strong> · {quota.rejected} refused</strong>}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
