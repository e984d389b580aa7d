import type pg from 'pg';
import type { EventStore } from '#event-store';
import { PROJECTIONS, activeCheckpoints } from '#read-models';
import { projectorDeadLetters, projectorLagEvents, projectorLagSeconds } from '#adapters';

export interface ProjectionStatus {
  readonly name: string;
  readonly generation: number;
  readonly position: string;
  readonly eventsProcessed: number;
  /** Null when the store cannot count cheaply (EventStoreDB). Capped at `LAG_COUNT_LIMIT`. */
  readonly lagEvents: number | null;
  readonly lagSeconds: number | null;
  readonly deadLetters: number;
  readonly updatedAt: string;
}

const LAG_COUNT_LIMIT = 1_000_000;

/** Position, lag and dead letters of the active generation of every projection; also feeds /metrics. */
export async function projectionStatus(store: EventStore, db: Pick<pg.Pool, 'query'>): Promise<ProjectionStatus[]> {
  const checkpoints = await activeCheckpoints(db);
  return Promise.all(
    checkpoints.map(async (checkpoint) => {
      const definition = PROJECTIONS.find((p) => p.name === checkpoint.name);
      const backlog = definition && store.backlog ? await store.backlog(checkpoint.position, definition.eventTypes, LAG_COUNT_LIMIT) : null;
      const lagSeconds = backlog
        ? backlog.oldestRecordedAt
          ? Math.max(0, (Date.now() - Date.parse(backlog.oldestRecordedAt)) / 1000)
          : 0
        : null;
      if (backlog) projectorLagEvents.set({ projection: checkpoint.name }, backlog.events);
      if (lagSeconds !== null) projectorLagSeconds.set({ projection: checkpoint.name }, lagSeconds);
      projectorDeadLetters.set({ projection: checkpoint.name }, checkpoint.deadLetters);
      return {
        name: checkpoint.name,
        generation: checkpoint.generation,
        position: checkpoint.position,
        eventsProcessed: checkpoint.eventsProcessed,
        lagEvents: backlog?.events ?? null,
        lagSeconds,
        deadLetters: checkpoint.deadLetters,
        updatedAt: checkpoint.updatedAt.toISOString(),
      };
    }),
  );
}
