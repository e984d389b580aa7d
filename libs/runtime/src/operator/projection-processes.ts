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

/** A live projector daemon, as its last heartbeat in `projector_processes` recorded it. */
export interface ProjectorProcess {
  readonly processId: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly lastSeenAt: string;
  /** Projections whose lock it holds. */
  readonly active: readonly string[];
  /** Projections it polls the lock of, standing by. */
  readonly standby: readonly string[];
}

/** A process missing this many of its own heartbeats is gone (killed, or cut off from the database) and is left out. */
export const HEARTBEATS_BEFORE_GONE = 3;

/**
 * The projector daemons that reported within three of their own heartbeat intervals, by the
 * database's clock (the one that stamped `last_seen_at`), oldest first.
 */
export async function projectorProcesses(db: Pick<pg.Pool, 'query'>): Promise<ProjectorProcess[]> {
  const { rows } = await db.query<{
    process_id: string;
    host: string;
    pid: number;
    started_at: Date;
    last_seen_at: Date;
    active: string[];
    standby: string[];
  }>(
    `SELECT process_id, host, pid, started_at, last_seen_at, active, standby
       FROM projector_processes
      WHERE last_seen_at > now() - $1::int * heartbeat_ms * interval '1 millisecond'
      ORDER BY started_at, process_id`,
    [HEARTBEATS_BEFORE_GONE],
  );
  return rows.map((row) => ({
    processId: row.process_id,
    host: row.host,
    pid: row.pid,
    startedAt: row.started_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    active: row.active,
    standby: row.standby,
  }));
}
