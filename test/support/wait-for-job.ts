import type { TestApp } from './app.js';

const ENDED = ['completed', 'failed', 'cancelled'];

/**
 * Re-runs `probe` each time `projection` commits a batch until it returns a value. Woken by the
 * projection's NOTIFY, so no polling delay and no sleep; bounded by `timeoutMs`, after which the
 * test fails saying what it waited for.
 */
export async function waitForReadModel<T>(app: TestApp, projection: string, probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  let wake: () => void = () => undefined;
  const unsubscribe = await app.runtime.checkpoints.onAdvance(projection, () => wake());
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const found = await probe();
      if (found !== undefined) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`${what}: not seen in ${projection} within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]);
      clearTimeout(timer);
    }
  } finally {
    unsubscribe();
  }
}

/** The job's row once the `jobs` read model shows it in one of `statuses` (by default: ended). */
export function waitForJob(app: TestApp, jobId: string, statuses: readonly string[] = ENDED, timeoutMs = 60_000): Promise<Record<string, any>> {
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
