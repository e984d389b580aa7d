import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The projector's own bookkeeping. A projection has generations (blue/green rebuilds); each has a
 * checkpoint written in the same transaction as its rows, and poison events go to dead letters.
 */
export class ProjectorCatalog1764100000000 implements MigrationInterface {
  name = 'ProjectorCatalog1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE projection_generations (
        name text PRIMARY KEY,
        active_generation integer NOT NULL,
        schema_hash text NOT NULL,
        switched_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE projection_checkpoints (
        name text NOT NULL,
        generation integer NOT NULL,
        schema_hash text NOT NULL,
        position text NOT NULL,
        events_processed bigint NOT NULL DEFAULT 0,
        last_event_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, generation)
      )`);
    await runner.query(`
      CREATE TABLE projection_dead_letters (
        id bigserial PRIMARY KEY,
        name text NOT NULL,
        generation integer NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        stream_id text NOT NULL,
        position text NOT NULL,
        error text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (name, generation, event_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE projection_dead_letters');
    await runner.query('DROP TABLE projection_checkpoints');
    await runner.query('DROP TABLE projection_generations');
  }
}
