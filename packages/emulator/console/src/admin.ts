/** The admin API of the emulator serving this page (same origin), used by the controls. */

async function send(path: string, method: string, body?: unknown): Promise<void> {
  const response = await fetch(`/__emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {}
    throw new Error(`${method} /__emulator/${path}: ${response.status} ${message}`);
  }
}

/** A fault the controls can inject. */
export interface FaultChoice {
  /** Route name, or `*` for every route. */
  readonly route: string;
  /** Key of {@link faultKinds}. */
  readonly kind: string;
  /** How many matching requests get it. */
  readonly times: number;
}

/** The kinds of fault offered, as admin API fault objects. */
export const faultKinds: Record<string, { readonly label: string; readonly fault: object }> = {
  '503': { label: '503 Service Unavailable', fault: { type: 'status', status: 503 } },
  '500': { label: '500 Internal Error', fault: { type: 'status', status: 500 } },
  '429': { label: '429 Throttling (Retry-After 1 s)', fault: { type: 'status', status: 429 } },
  'reset-request': {
    label: 'connection reset during the request',
    fault: { type: 'reset', phase: 'request' },
  },
  'reset-response': {
    label: 'connection reset during the response',
    fault: { type: 'reset', phase: 'response' },
  },
  'answer-lost': {
    label: 'answer lost (the service acts, then the connection resets)',
    fault: { type: 'answerLost' },
  },
  'delay-2000': { label: 'delay 2 s', fault: { type: 'delay', delayMs: 2000 } },
  stall: { label: 'stall (never answer)', fault: { type: 'stall', phase: 'request' } },
};

/** Adds a fault rule (`POST /__emulator/faults`). */
export function injectFault(choice: FaultChoice): Promise<void> {
  const kind = faultKinds[choice.kind];
  if (kind === undefined) return Promise.reject(new Error(`Unknown fault kind ${choice.kind}`));
  return send('faults', 'POST', {
    ...(choice.route === '*' ? {} : { route: choice.route }),
    fault: kind.fault,
    times: choice.times,
  });
}

/** Removes every fault rule (`DELETE /__emulator/faults`). */
export function clearFaults(): Promise<void> {
  return send('faults', 'DELETE');
}

/** Moves the emulated clock forward (`POST /__emulator/clock`). */
export function advanceClock(advanceMs: number): Promise<void> {
  return send('clock', 'POST', { advanceMs });
}

/** Clears calls, faults and quotas and puts the clock back (`POST /__emulator/reset`). */
export function resetEmulator(): Promise<void> {
  return send('reset', 'POST');
}
