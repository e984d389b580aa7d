import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `projector_processes`: one row per running projector daemon, upserted on its heartbeat with the
 * projections it writes (`active`) and those it stands by for (`standby`), deleted on a clean stop.
 * Bookkeeping, not a projection: nothing replays it. A row whose `last_seen_at` is older than three
 * of its own `heartbeat_ms` belongs to a process that is gone (killed, or cut off from the database).
 */
export class ProjectorProcesses1796700000000 implements MigrationInterface {
  name = 'ProjectorProcesses1796700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS projector_processes (
        process_id text PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        started_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        heartbeat_ms integer NOT NULL,
        active text[] NOT NULL DEFAULT '{}',
        standby text[] NOT NULL DEFAULT '{}'
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS projector_processes');
  }
}
