import type pg from 'pg';

/**
 * The session holding each projection generation's advisory lock (the active writer), as
 * `application_name` (PGAPPNAME), pid and client address: one read of pg_locks, no bookkeeping of
 * our own. Standbys do not show: they poll with `pg_try_advisory_lock` and wait in no queue.
 * The lock key must match the runner's `lockName` (apps/projector/src/projection-runner.ts).
 */
export async function projectionLockHolders(
  db: Pick<pg.Pool, 'query'>,
  generations: ReadonlyArray<{ readonly name: string; readonly generation: number }>,
): Promise<Map<string, string>> {
  const { rows } = await db.query<{ name: string; pid: number; application_name: string; client: string | null }>(
    `SELECT k.name, a.pid, a.application_name, host(a.client_addr) AS client
       FROM unnest($1::text[], $2::text[]) AS k(name, lock)
       JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext(k.lock)::bigint
       JOIN pg_stat_activity a ON a.pid = l.pid`,
    [generations.map((g) => g.name), generations.map((g) => `projection:${g.name}:g${g.generation}`)],
  );
  return new Map(
    rows.map((row) => [row.name, `${row.application_name || 'unnamed'} (pid ${row.pid}${row.client ? ` on ${row.client}` : ''})`]),
  );
}
