import type pg from 'pg';
import type { EventStore } from '#event-store';
import {
  activeGeneration,
  createGeneration,
  dropGeneration,
  inTransaction,
  switchGeneration,
  type ProjectionDefinition,
} from '#read-models';
import type { Logger } from '#adapters';
import { ProjectionRunner, lockName } from '../projection-runner.js';

export interface ReplayOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly definition: ProjectionDefinition;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly onProgress?: (applied: number) => void;
  /** How long to wait for the live daemon to let go of the old generation before leaving it in place. */
  readonly releaseTimeoutMs?: number;
}

export interface ReplayResult {
  readonly from: number;
  readonly to: number;
  readonly events: number;
  readonly seconds: number;
  readonly droppedOld: boolean;
}

/**
 * Blue/green rebuild: generation N+1 is built into its own tables from the start of the log while
 * N keeps serving; then one transaction points the views at N+1. The live daemon hears the switch
 * and continues on N+1 from its checkpoint; N is dropped once nobody holds its lock.
 */
export async function replayProjection(options: ReplayOptions): Promise<ReplayResult> {
  const { pool, definition } = options;
  const current = await activeGeneration(pool, definition.name);
  if (!current) throw new Error(`Projection ${definition.name} does not exist yet; start Console once to create it`);
  const { rows } = await pool.query<{ next: number }>(
    'SELECT COALESCE(max(generation), 0) + 1 AS next FROM projection_checkpoints WHERE name = $1',
    [definition.name],
  );
  const next = rows[0]!.next;
  await inTransaction(pool, (client) => createGeneration(client, definition, next));

  const started = Date.now();
  let events = 0;
  const runner = new ProjectionRunner({
    store: options.store,
    pool,
    definition,
    logger: options.logger,
    mode: 'replay',
    generation: next,
    stopWhenCaughtUp: true,
    maxBatchSize: options.batchSize ?? definition.maxBatchSize ?? 5000,
    onBatch: ({ applied }) => {
      events += applied; // not inside `onProgress?.(…)`, which skips its argument when absent
      options.onProgress?.(events);
    },
  });
  try {
    await runner.start().done;
  } catch (error) {
    await inTransaction(pool, (client) => dropGeneration(client, definition, next)); // the old one keeps serving
    throw error;
  }
  const seconds = (Date.now() - started) / 1000;
  await inTransaction(pool, (client) => switchGeneration(client, definition, next));
  const droppedOld = await dropWhenReleased(pool, definition, current.generation, options.releaseTimeoutMs ?? 30_000);
  return { from: current.generation, to: next, events, seconds, droppedOld };
}

async function dropWhenReleased(pool: pg.Pool, definition: ProjectionDefinition, generation: number, timeoutMs: number): Promise<boolean> {
  const client = await pool.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    await client.query(`SET lock_timeout = ${Math.max(1, timeoutMs)}`);
    // Blocks until the live runner of the old generation has restarted on the new one.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockName(definition.name, generation)]).catch(() => undefined);
    const { rows } = await client.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted) AS held`,
    );
    if (!rows[0]!.held || Date.now() > deadline + 1000) return false;
    await client.query('BEGIN');
    await dropGeneration(client, definition, generation);
    await client.query('COMMIT');
    return true;
  } catch {
    await client.query('ROLLBACK').catch(() => undefined);
    return false;
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    client.release();
  }
}
