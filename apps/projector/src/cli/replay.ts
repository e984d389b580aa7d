import type pg from 'pg';
import type { EventStore } from '#event-store';
import {
  activeGeneration,
  checkoutClient,
  createGeneration,
  dropGeneration,
  inTransaction,
  schemaHash,
  switchGeneration,
  type ProjectionDefinition,
} from '#read-models';
import type { Logger } from '#adapters';
import { PoisonEventError, ProjectionRunner, lockName } from '../projection-runner.js';
import { isConnectionLost, retryingConnectionLoss } from './connection-retry.js';

export interface ReplayOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly definition: ProjectionDefinition;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly onProgress?: (applied: number) => void;
  /** How long to wait for the live daemon to let go of the old generation before leaving it in place. */
  readonly releaseTimeoutMs?: number;
  /** How long the database may stay unreachable before the replay stops (default 60 s); a rerun resumes. */
  readonly outageBudgetMs?: number;
  /** Told once an outage that the connection was lost and the step is being retried. */
  readonly onOutage?: (reason: string) => void;
  /** Stops the replay after its batch in flight (ReplayInterruptedError); a later replay resumes it. */
  readonly signal?: AbortSignal;
}

export interface ReplayResult {
  readonly from: number;
  readonly to: number;
  /** Events applied by this run (a resumed run does not count what the stopped one applied). */
  readonly events: number;
  readonly seconds: number;
  readonly droppedOld: boolean;
  /** The run continued a generation that an earlier, interrupted replay had started. */
  readonly resumed: boolean;
}

/** The database stayed unreachable longer than the budget; the new generation keeps what it applied. */
export class ReplayInterruptedError extends Error {
  constructor(
    readonly projection: string,
    readonly generation: number,
    cause: unknown,
  ) {
    super(`the database connection was lost while replaying ${projection} into generation ${generation} and did not come back`, { cause });
    this.name = 'ReplayInterruptedError';
  }
}

/**
 * Blue/green rebuild: generation N+1 is built into its own tables from the start of the log while
 * N keeps serving; then one transaction points the views at N+1. The live daemon hears the switch
 * and continues on N+1 from its checkpoint; N is dropped once nobody holds its lock. A lost
 * connection is retried; a replay stopped by a longer outage is resumed by the next one, from the
 * checkpoint of the generation it was building (each batch commits with that checkpoint).
 */
export async function replayProjection(options: ReplayOptions): Promise<ReplayResult> {
  const { pool, definition } = options;
  const budgetMs = options.outageBudgetMs ?? 60_000;
  const retrying = retryingConnectionLoss(budgetMs, options.onOutage);
  // Each step is safe to repeat when its first attempt's commit went unanswered: the generation is
  // created with IF NOT EXISTS (and found again as unfinished), a switch to it is idempotent.
  const { current, next, resumed } = await retrying(() => inTransaction(pool, (client) => prepareGeneration(client, definition)));

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
    giveUpAfterMs: budgetMs,
    maxBatchSize: options.batchSize ?? definition.maxBatchSize ?? 5000,
    onBatch: ({ applied }) => {
      events += applied; // not inside `onProgress?.(…)`, which skips its argument when absent
      options.onProgress?.(events);
    },
  });
  const stop = () => void runner.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    await runner.start().done;
    if (options.signal?.aborted) throw new ReplayInterruptedError(definition.name, next, options.signal.reason);
  } catch (error) {
    if (error instanceof ReplayInterruptedError) throw error;
    if (isConnectionLost(error)) throw new ReplayInterruptedError(definition.name, next, error);
    // A poison event: the old generation keeps serving, the new one is of no use.
    if (error instanceof PoisonEventError) await inTransaction(pool, (client) => dropGeneration(client, definition, next));
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  const seconds = (Date.now() - started) / 1000;
  await retrying(() => inTransaction(pool, (client) => switchGeneration(client, definition, next)));
  const droppedOld = await retrying(() => dropWhenReleased(pool, definition, current, options.releaseTimeoutMs ?? 30_000));
  return { from: current, to: next, events, seconds, droppedOld, resumed };
}

/**
 * The generation to build: the newest one above the active generation when an earlier replay of
 * the same tables stopped before its switch (resumed from its checkpoint), else a new one.
 */
async function prepareGeneration(
  client: pg.PoolClient,
  definition: ProjectionDefinition,
): Promise<{ current: number; next: number; resumed: boolean }> {
  const active = await activeGeneration(client, definition.name);
  if (!active) throw new Error(`Projection ${definition.name} does not exist yet; start Console once to create it`);
  const { rows } = await client.query<{ generation: number; schema_hash: string }>(
    'SELECT generation, schema_hash FROM projection_checkpoints WHERE name = $1 ORDER BY generation DESC LIMIT 1',
    [definition.name],
  );
  const newest = rows[0];
  if (newest && newest.generation > active.generation && newest.schema_hash === schemaHash(definition))
    return { current: active.generation, next: newest.generation, resumed: true };
  const next = Math.max(active.generation, newest?.generation ?? 0) + 1;
  await createGeneration(client, definition, next);
  return { current: active.generation, next, resumed: false };
}

/** False when the old generation is still held after the timeout; a lost connection is thrown, for the caller to retry. */
async function dropWhenReleased(pool: pg.Pool, definition: ProjectionDefinition, generation: number, timeoutMs: number): Promise<boolean> {
  const client = await checkoutClient(pool);
  try {
    const deadline = Date.now() + timeoutMs;
    await client.query(`SET lock_timeout = ${Math.max(1, timeoutMs)}`);
    // Blocks until the live runner of the old generation has restarted on the new one.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockName(definition.name, generation)]).catch((error: unknown) => {
      if (isConnectionLost(error)) throw error;
    });
    const { rows } = await client.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted) AS held`,
    );
    if (!rows[0]!.held || Date.now() > deadline + 1000) return false;
    await client.query('BEGIN');
    await dropGeneration(client, definition, generation);
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isConnectionLost(error)) throw error;
    return false;
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    client.release();
  }
}
