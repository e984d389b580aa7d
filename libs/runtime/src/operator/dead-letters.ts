import type pg from 'pg';
import {
  DomainError,
  deadLetterDecider,
  deadLetterStreamId,
  type DeadLetterCommand,
  type DeadLetterEvent,
  type EventMetadata,
  type RecordedEvent,
} from '#domain';
import { handleCommand, isConnectionError, readTypedStream, type CommandContext, type EventStore, type Position } from '#event-store';
import { CHECKPOINT_CHANNEL, PROJECTIONS, RowChangeBatch, activeGeneration, writeRowChanges } from '#read-models';

/** An event a projection could not apply, as `projection_dead_letters` holds it (active generations only). */
export interface DeadLetter {
  readonly id: string;
  readonly projection: string;
  readonly generation: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly streamId: string;
  readonly position: string;
  readonly error: string;
  readonly createdAt: string;
  readonly event: { readonly data: unknown; readonly metadata: EventMetadata };
}

interface DeadLetterRow {
  id: string;
  name: string;
  generation: number;
  event_id: string;
  event_type: string;
  stream_id: string;
  position: string;
  error: string;
  event: StoredEvent;
  created_at: Date;
}

/** The runner stores the whole recorded event, its bigint revision as a string. */
type StoredEvent = Omit<RecordedEvent, 'revision'> & { revision: string };

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: String(row.id),
  projection: row.name,
  generation: row.generation,
  eventId: row.event_id,
  eventType: row.event_type,
  streamId: row.stream_id,
  position: row.position,
  error: row.error,
  createdAt: row.created_at.toISOString(),
  event: { data: row.event.data, metadata: row.event.metadata ?? {} },
});

/** Newest first (by id), paged by id: `next` is the `before` of the following page, null after the last. */
export async function listDeadLetters(
  db: Pick<pg.Pool, 'query'>,
  options: { readonly projection?: string; readonly limit: number; readonly before?: string },
): Promise<{ deadLetters: DeadLetter[]; next: string | null }> {
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT d.* FROM projection_dead_letters d
       JOIN projection_generations g ON g.name = d.name AND g.active_generation = d.generation
      WHERE ($1::text IS NULL OR d.name = $1) AND ($2::bigint IS NULL OR d.id < $2::bigint)
      ORDER BY d.id DESC LIMIT $3`,
    [options.projection ?? null, options.before ?? null, options.limit + 1],
  );
  const page = rows.slice(0, options.limit).map(toDeadLetter);
  return { deadLetters: page, next: rows.length > options.limit ? page.at(-1)!.id : null };
}

export interface DeadLetterActionDeps {
  readonly store: EventStore;
  /** The read-model database (projections' tables and `projection_dead_letters`). */
  readonly pool: pg.Pool;
}

export interface DeadLetterAction {
  readonly deadLetterId: string;
  /** Who asked: a user id, or `cli:<name>` from the command line. */
  readonly by: string;
  readonly context: CommandContext;
  readonly at?: Date;
}

export interface RetryOutcome {
  readonly outcome: 'applied' | 'failed';
  readonly error?: string;
  readonly position: Position | null;
}

/**
 * Applies a dead letter's event to its projection's active generation now, through the runner's own
 * path (`apply` → `RowChangeBatch` → `writeRowChanges`), and records the attempt as
 * `DeadLetterRetried` in the letter's stream. The row is locked for the whole attempt, and the
 * change, the removal of the row (or its new error) and the audit append commit together: the
 * transaction commits only once the event is appended, so a refused append (already resolved, a
 * concurrent retry) leaves the read model as it was. A repeated request (same command id) is
 * answered from the stream without applying anything again.
 */
export function retryDeadLetter(deps: DeadLetterActionDeps, action: DeadLetterAction): Promise<RetryOutcome> {
  return withDeadLetter(deps, action, async (client, row) => {
    const definition = PROJECTIONS.find((p) => p.name === row.name)!;
    const tables = new Map(definition.tables.map((t) => [t.name, t]));
    const stored = row.event;
    const event: RecordedEvent = { ...stored, revision: BigInt(stored.revision) };
    let error: string | null = null;
    await client.query('SAVEPOINT retry');
    try {
      const batch = new RowChangeBatch(tables);
      batch.addAll(definition.apply(event));
      await writeRowChanges(client, batch, tables, row.generation);
      await client.query('RELEASE SAVEPOINT retry');
    } catch (failure) {
      if (isConnectionError(failure)) throw failure;
      await client.query('ROLLBACK TO SAVEPOINT retry');
      error = failure instanceof Error ? failure.message : String(failure);
    }
    if (error === null) {
      await client.query('DELETE FROM projection_dead_letters WHERE id = $1', [row.id]);
      // Caches of this projection's rows (`ProjectionCaches`) drop what they hold on this channel.
      await client.query('SELECT pg_notify($1, $2)', [CHECKPOINT_CHANNEL, row.name]);
    } else {
      await client.query('UPDATE projection_dead_letters SET error = $2 WHERE id = $1', [row.id, error]);
    }
    return { type: 'RecordDeadLetterRetry', data: { ...reference(row, action), outcome: error === null ? 'applied' : 'failed', error } };
  }).then(({ events, position }) => {
    const retried = events.find((e) => e.type === 'DeadLetterRetried');
    const outcome = retried?.type === 'DeadLetterRetried' ? retried.data : null;
    return {
      outcome: outcome?.outcome ?? 'applied',
      ...(outcome?.error ? { error: outcome.error } : {}),
      position,
    };
  });
}

/** Leaves the event unapplied for good: the row goes, `DeadLetterSkipped` is appended, in one transaction. */
export async function skipDeadLetter(deps: DeadLetterActionDeps, action: DeadLetterAction): Promise<{ position: Position | null }> {
  const { position } = await withDeadLetter(deps, action, async (client, row) => {
    await client.query('DELETE FROM projection_dead_letters WHERE id = $1', [row.id]);
    return { type: 'SkipDeadLetter', data: reference(row, action) };
  });
  return { position };
}

const reference = (row: DeadLetterRow, action: DeadLetterAction) => ({
  deadLetterId: String(row.id),
  projection: row.name,
  generation: row.generation,
  eventId: row.event_id,
  eventPosition: row.position,
  by: action.by,
  at: (action.at ?? new Date()).toISOString(),
});

const ID = /^[1-9]\d{0,17}$/;

async function withDeadLetter(
  deps: DeadLetterActionDeps,
  action: DeadLetterAction,
  work: (client: pg.PoolClient, row: DeadLetterRow) => Promise<DeadLetterCommand>,
): Promise<{ events: readonly DeadLetterEvent[]; position: Position | null }> {
  if (!ID.test(action.deadLetterId)) throw new DomainError('not_found', `Dead letter ${action.deadLetterId} not found`);
  const streamId = deadLetterStreamId(action.deadLetterId);
  const history = await readTypedStream<DeadLetterEvent>(deps.store, streamId);
  const replayed = history.filter((e) => e.metadata.commandId === action.context.commandId);
  if (replayed.length > 0) return { events: replayed, position: replayed.at(-1)!.position };
  const client = await deps.pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<DeadLetterRow>('SELECT * FROM projection_dead_letters WHERE id = $1 FOR UPDATE', [
        action.deadLetterId,
      ]);
      const row = rows[0];
      let command: DeadLetterCommand;
      if (!row) {
        // Gone: resolved through its stream (the decider refuses with 409), or never there (404).
        const last = history.at(-1);
        if (!last) throw new DomainError('not_found', `Dead letter ${action.deadLetterId} not found`);
        const { deadLetterId, projection, generation, eventId, eventPosition } = last.data;
        const ref = { deadLetterId, projection, generation, eventId, eventPosition, by: action.by, at: new Date().toISOString() };
        command = { type: 'SkipDeadLetter', data: ref };
      } else {
        const active = await activeGeneration(client, row.name);
        if (!active || active.generation !== row.generation)
          throw new DomainError(
            'conflict',
            `Dead letter ${row.id} belongs to generation ${row.generation} of ${row.name}, which is not active`,
          );
        command = await work(client, row);
      }
      const result = await handleCommand(deps.store, streamId, deadLetterDecider, command, action.context);
      await client.query('COMMIT');
      return { events: result.events, position: result.position };
    } catch (error) {
      broken = isConnectionError(error);
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
