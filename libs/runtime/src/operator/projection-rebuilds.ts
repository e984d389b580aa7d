import type pg from 'pg';
import { projectionRebuildDecider, projectionRebuildStreamId, type ProjectionRebuildState } from '#domain';
import { aggregateStream, handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { PROJECTIONS } from '#read-models';

/** The api notifies the projector daemons on this channel (payload: the projection) when a rebuild is requested. */
export const REBUILD_CHANNEL = 'projection_rebuild_requested';

export class UnknownProjectionError extends Error {
  constructor(readonly projection: string) {
    super(`Unknown projection "${projection}"; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
    this.name = 'UnknownProjectionError';
  }
}

/**
 * Appends `ProjectionRebuildRequested` to the projection's operator stream (refused with a conflict
 * while an earlier request is unfinished) and wakes the projector daemons; one of them runs the
 * blue/green replay and appends its outcome. The request id is the command id, so a retried request
 * names the same rebuild.
 */
export async function requestProjectionRebuild(
  deps: { readonly store: EventStore; readonly db: Pick<pg.Pool, 'query'> },
  request: { readonly projection: string; readonly by: string; readonly context: CommandContext; readonly at?: Date },
): Promise<{ position: Position | null; requestId: string }> {
  if (!PROJECTIONS.some((p) => p.name === request.projection)) throw new UnknownProjectionError(request.projection);
  const result = await handleCommand(
    deps.store,
    projectionRebuildStreamId(request.projection),
    projectionRebuildDecider,
    {
      type: 'RequestProjectionRebuild',
      data: {
        projection: request.projection,
        requestId: request.context.commandId,
        requestedBy: request.by,
        requestedAt: (request.at ?? new Date()).toISOString(),
      },
    },
    request.context,
  );
  // The daemons also look for pending requests on start and every few seconds: a lost notification only delays.
  await deps.db.query('SELECT pg_notify($1, $2)', [REBUILD_CHANNEL, request.projection]);
  const requested = result.events.find((e) => e.type === 'ProjectionRebuildRequested');
  return {
    position: result.position,
    requestId: requested?.type === 'ProjectionRebuildRequested' ? requested.data.requestId : request.context.commandId,
  };
}

export async function projectionRebuildState(store: EventStore, projection: string): Promise<ProjectionRebuildState> {
  return (await aggregateStream(store, projectionRebuildStreamId(projection), projectionRebuildDecider)).state;
}

export interface RebuildProgress {
  /** The generation being built; null until a daemon has created it. */
  readonly generation: number | null;
  readonly eventsApplied: number;
  /** Applied plus still to apply (null when the store cannot count, EventStoreDB). */
  readonly eventsTotal: number | null;
  readonly startedAt: string;
  readonly requestId: string;
  readonly requestedBy: string;
}

/**
 * A pending rebuild's progress, read from where the replay writes it anyway: the checkpoint of the
 * generation it builds (the newest above the active one), whose events_processed grows with each
 * committed batch.
 */
export async function rebuildProgress(
  deps: { readonly store: EventStore; readonly db: Pick<pg.Pool, 'query'> },
  projection: string,
  activeGeneration: number,
  pending: NonNullable<ProjectionRebuildState['pending']>,
): Promise<RebuildProgress> {
  const { rows } = await deps.db.query<{ generation: number; position: string; events_processed: string }>(
    `SELECT generation, position, events_processed FROM projection_checkpoints
      WHERE name = $1 AND generation > $2 ORDER BY generation DESC LIMIT 1`,
    [projection, activeGeneration],
  );
  const building = rows[0];
  const base = { startedAt: pending.requestedAt, requestId: pending.requestId, requestedBy: pending.requestedBy };
  if (!building) return { generation: null, eventsApplied: 0, eventsTotal: null, ...base };
  const applied = Number(building.events_processed);
  const definition = PROJECTIONS.find((p) => p.name === projection)!;
  const backlog = deps.store.backlog ? await deps.store.backlog(building.position, definition.eventTypes, Number.MAX_SAFE_INTEGER) : null;
  return { generation: building.generation, eventsApplied: applied, eventsTotal: backlog ? applied + backlog.events : null, ...base };
}
