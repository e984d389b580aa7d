import type pg from 'pg';
import type { RecordedEvent } from '#domain';
import { comparePositions, type Position } from '#event-store';
import { RowChangeBatch, readCheckpoint, writeRowChanges, type ProjectionDefinition, type TableDefinition } from '#read-models';

/**
 * A projection's batch as the projector's runner writes it: the events past the generation's
 * checkpoint, coalesced into one RowChangeBatch, written with the new checkpoint in one transaction.
 * The runner adds the subscription, the lock and dead letters; its own spec holds it to this rule.
 * Returns the number of events applied.
 */
export async function applyCheckpointedBatch(
  client: pg.ClientBase,
  definition: ProjectionDefinition,
  generation: number,
  events: readonly RecordedEvent[],
  checkpoint: Position = events.at(-1)!.position,
): Promise<number> {
  const tables = new Map<string, TableDefinition>(definition.tables.map((table) => [table.name, table]));
  await client.query('BEGIN');
  try {
    const stored = await readCheckpoint(client, definition.name, generation, true);
    if (!stored) throw new Error(`Projection ${definition.name} generation ${generation} has no checkpoint`);
    if (comparePositions(checkpoint, stored.position) <= 0) {
      await client.query('COMMIT');
      return 0;
    }
    // The runner's subscription delivers only the projection's event types.
    const fresh = events.filter(
      (event) => definition.eventTypes.includes(event.type) && comparePositions(event.position, stored.position) > 0,
    );
    const batch = new RowChangeBatch(tables);
    for (const event of fresh) batch.addAll(definition.apply(event));
    await writeRowChanges(client, batch, tables, generation);
    await client.query(
      'UPDATE projection_checkpoints SET position = $3, events_processed = events_processed + $4 WHERE name = $1 AND generation = $2',
      [definition.name, generation, checkpoint, fresh.length],
    );
    await client.query('COMMIT');
    return fresh.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
