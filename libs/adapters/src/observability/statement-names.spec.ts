import { describe, expect, it } from '@jest/globals';
import { currentStatementName, deriveStatementName, namedStatements } from './statement-names.js';

describe('deriveStatementName', () => {
  it('names a statement by its verb and first relation, never by its values', () => {
    expect(
      [
        'SELECT * FROM jobs WHERE workspace_id = $1 AND id = $2',
        `  -- a comment first\n  select count(*) from "public"."read_model_migrations"`,
        '/* hint */ INSERT INTO jobs_g12 (id, status) VALUES ($1, $2), ($3, $4) ON CONFLICT (id) DO UPDATE SET status = excluded.status',
        'UPDATE projection_checkpoints SET position = $1 WHERE name = $2',
        'DELETE FROM ONLY ingestion_queue WHERE job_id = $1',
        'WITH horizon AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) SELECT 1 FROM es_events e, horizon h',
        'SELECT status, revision FROM es_append($1, $2)',
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        "SELECT 1 WHERE 'x' = 'x'",
        'BEGIN',
        'commit',
        'LISTEN console_checkpoints',
        'CREATE TABLE jobs_g3 (id text)',
        '',
        'something odd',
      ].map(deriveStatementName),
    ).toEqual([
      'select jobs',
      'select read_model_migrations',
      'insert jobs',
      'update projection_checkpoints',
      'delete ingestion_queue',
      'with es_events',
      'select es_append',
      'select pg_try_advisory_lock',
      'select',
      'begin',
      'commit',
      'listen',
      'create',
      'other',
      'other',
    ]);
  });
});

describe('namedStatements', () => {
  class Lookups {
    readonly #secret = 'kept';
    calls = 0;

    async one(): Promise<string | undefined> {
      await Promise.resolve();
      this.calls++;
      return currentStatementName();
    }

    two(): string | undefined {
      return `${this.#secret}:${currentStatementName()}`;
    }
  }

  it('names what each method runs, across awaits and concurrently, and leaves other properties alone', async () => {
    const target = new Lookups();
    const named = namedStatements(target, 'Lookups');
    const [a, b] = await Promise.all([named.one(), Promise.resolve().then(() => named.two())]);
    expect({ a, b }).toEqual({ a: 'Lookups.one', b: 'kept:Lookups.two' });
    expect(named.calls).toBe(1);
    expect(named instanceof Lookups).toBe(true);
    expect(currentStatementName()).toBeUndefined();
  });

  it('names only the listed methods when given a list', async () => {
    const named = namedStatements(new Lookups(), 'only', ['one']);
    expect([await named.one(), named.two()]).toEqual(['only.one', 'kept:undefined']);
  });
});
