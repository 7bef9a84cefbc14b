/**
 * The lock and stalled-check settings of `createWorker`, chosen so that the jobs of a worker that died (killed,
 * crashed, its machine gone) are run by another worker within seconds rather than BullMQ's default of about a
 * minute (30 s locks, 30 s checks).
 *
 * A running job's lock is renewed every `lockDurationMs / 2`. When its worker dies, the lock expires within
 * `lockDurationMs`; every live worker checks for stalled jobs every `stalledIntervalMs`, and a job found without a
 * lock at two checks in a row goes back to the waiting list. A dead worker's jobs therefore start again elsewhere
 * within `lockDurationMs + 2 × stalledIntervalMs` (12 s with these values), usually sooner.
 *
 * A worker whose event loop is blocked for longer than `lockDurationMs` loses its locks too; its jobs are aborted
 * through their signal, and whoever runs them next looks the document up before uploading it.
 */
export const ingestWorkerTiming = {
  /** How long a job's lock lasts without renewal. */
  lockDurationMs: 6000,
  /** How often each worker looks for jobs whose lock expired. */
  stalledIntervalMs: 3000,
  /**
   * How many times a job may be found stalled before it is failed. Workers killed again and again must not fail a
   * document: the default is generous, and a stalled run does not count as an attempt.
   */
  maxStalledCount: 20,
} as const;
