import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { Logger } from '#adapters';
import type { ProjectionRunner } from './projection-runner.js';

export interface ProcessHeartbeatOptions {
  readonly pool: Pick<pg.Pool, 'query'>;
  readonly runners: readonly ProjectionRunner[];
  readonly logger: Logger;
  /** How often the row is rewritten (default 5 s); readers count a process gone after three missed. */
  readonly intervalMs?: number;
}

/** Runner states are looked at this often (in memory); a change of role (a takeover) is written at once, not on the next beat. */
const ROLE_CHECK_MS = 250;

export const DEFAULT_HEARTBEAT_MS = 5000;

/**
 * A projector daemon's row in `projector_processes`: which projections it writes (its runners
 * holding the lock) and which it stands by for, rewritten every `intervalMs` and deleted on a clean
 * stop. A standby is otherwise invisible: it polls `pg_try_advisory_lock` and waits in no queue.
 */
export class ProcessHeartbeat {
  /** Host, pid and a random suffix: two daemons in one process (the tests) stay apart. */
  readonly processId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();
  private written: { roles: string; at: number } | null = null;
  private queued = false;
  private readonly startedAt = new Date();

  constructor(private readonly options: ProcessHeartbeatOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_MS;
  }

  start(): void {
    if (this.timer) return;
    // Rows of processes killed without a clean stop (they are left out of every list once stale)
    // are removed after a day, so the table does not grow with every crash.
    void this.options.pool
      .query(`DELETE FROM projector_processes WHERE last_seen_at < now() - interval '1 day'`)
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not remove old rows from projector_processes'));
    this.beat();
    this.timer = setInterval(
      () => {
        if (!this.written || this.written.roles !== this.roles().key || Date.now() - this.written.at >= this.intervalMs) this.beat();
      },
      Math.min(ROLE_CHECK_MS, this.intervalMs),
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await this.options.pool
      .query('DELETE FROM projector_processes WHERE process_id = $1', [this.processId])
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not remove this process from projector_processes'));
  }

  /**
   * One write at a time, at most one waiting (a slow database skips beats, it does not queue them);
   * `stop` waits for the last before deleting the row, so none revives it.
   */
  private beat(): void {
    if (this.queued) return;
    this.queued = true;
    this.beating = this.beating.then(() => {
      this.queued = false;
      return this.write();
    });
  }

  private roles(): { active: string[]; standby: string[]; key: string } {
    const active = this.options.runners.filter((r) => r.state === 'running').map((r) => r.name);
    const standby = this.options.runners.filter((r) => r.state === 'standby').map((r) => r.name);
    return { active, standby, key: `${active.join(',')}|${standby.join(',')}` };
  }

  private async write(): Promise<void> {
    const { active, standby, key } = this.roles();
    this.written = { roles: key, at: Date.now() }; // set before the write: a failed one is retried on the next beat, not every check
    await this.options.pool
      .query(
        `INSERT INTO projector_processes (process_id, host, pid, started_at, last_seen_at, heartbeat_ms, active, standby)
         VALUES ($1, $2, $3, $4, now(), $5, $6, $7)
         ON CONFLICT (process_id) DO UPDATE
           SET last_seen_at = now(), heartbeat_ms = EXCLUDED.heartbeat_ms, active = EXCLUDED.active, standby = EXCLUDED.standby`,
        [this.processId, hostname(), process.pid, this.startedAt, this.intervalMs, active, standby],
      )
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'projector heartbeat failed; retrying on the next beat'));
  }
}
