import type { TestApp } from './app.js';

const ENDED = ['completed', 'failed', 'cancelled'];

/** `CheckpointWaiter.waitUntil` on the app's runtime: re-runs `probe` on each batch `projection` commits. */
export function waitForReadModel<T>(
  app: TestApp,
  projection: string,
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  return app.runtime.checkpoints.waitUntil(projection, probe, what, timeoutMs);
}

/** The job's row once the `jobs` read model shows it in one of `statuses` (by default: ended). */
export function waitForJob(
  app: TestApp,
  jobId: string,
  statuses: readonly string[] = ENDED,
  timeoutMs = 60_000,
): Promise<Record<string, any>> {
  return waitForReadModel(
    app,
    'jobs',
    async () => {
      const [row] = await app.runtime.dataSource.query('SELECT * FROM jobs WHERE id = $1', [jobId]);
      return row && statuses.includes(row.status) ? row : undefined;
    },
    `job ${jobId} ${statuses.join('/')}`,
    timeoutMs,
  );
}
