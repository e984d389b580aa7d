import type pg from 'pg';
import { projectionRebuildDecider, projectionRebuildStreamId } from '#domain';
import { handleCommand, isConnectionError, type EventStore } from '#event-store';
import { checkoutClient, type ProjectionDefinition } from '#read-models';
import { projectionRebuildState } from '#runtime';
import type { Logger } from '#adapters';
import { ReplayInterruptedError, replayProjection } from './cli/replay.js';

export interface RebuildWorkerOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly definitions: readonly ProjectionDefinition[];
  /** How often pending requests are looked for besides notifications (default 5 s). */
  readonly pollMs?: number;
}

/**
 * Runs the rebuilds operators request (`ProjectionRebuildRequested` in `operator-projection-<name>`):
 * the blue/green replay, then `ProjectionRebuildCompleted` or `ProjectionRebuildFailed` in the same
 * stream. Several daemons may look at one request; a session advisory lock per projection lets one
 * run it. A daemon stopped mid-replay leaves the request pending, and the next one to look resumes
 * the replay from the checkpoint of the generation it was building.
 */
export class RebuildWorker {
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RebuildWorkerOptions) {}

  start(): void {
    this.lookForRequests();
    this.timer = setInterval(() => this.lookForRequests(), this.options.pollMs ?? 5000);
    this.timer.unref();
  }

  /** A request was announced (the api's NOTIFY), or may have been missed: look at once. */
  lookForRequests(projection?: string): void {
    for (const definition of this.options.definitions)
      if (projection === undefined || definition.name === projection) void this.check(definition);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.abort.abort(new Error('projector stopping'));
    await Promise.allSettled(this.running.values());
  }

  private async check(definition: ProjectionDefinition): Promise<void> {
    if (this.running.has(definition.name) || this.abort.signal.aborted) return;
    try {
      const state = await projectionRebuildState(this.options.store, definition.name);
      if (!state.pending || this.running.has(definition.name) || this.abort.signal.aborted) return;
      const run = this.run(definition, state.pending.requestId).finally(() => this.running.delete(definition.name));
      this.running.set(definition.name, run);
      await run;
    } catch (error) {
      this.options.logger.warn({ projection: definition.name, err: error }, 'could not look for or run a requested rebuild');
    }
  }

  private async run(definition: ProjectionDefinition, requestId: string): Promise<void> {
    const { store, pool, logger } = this.options;
    const client = await checkoutClient(pool);
    let broken = false;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `projection-rebuild:${definition.name}`,
      ]);
      if (!rows[0]!.locked) return; // another daemon runs it
      // Finished by another daemon between our read and the lock?
      if ((await projectionRebuildState(store, definition.name)).pending?.requestId !== requestId) return;
      logger.info({ projection: definition.name, requestId }, 'rebuild requested; replaying blue/green');
      const streamId = projectionRebuildStreamId(definition.name);
      try {
        const result = await replayProjection({ store, pool, definition, logger, signal: this.abort.signal });
        await handleCommand(
          store,
          streamId,
          projectionRebuildDecider,
          {
            type: 'CompleteProjectionRebuild',
            data: {
              projection: definition.name,
              requestId,
              fromGeneration: result.from,
              toGeneration: result.to,
              events: result.events,
              seconds: result.seconds,
              at: new Date().toISOString(),
            },
          },
          { commandId: `rebuild-completed:${requestId}` },
        );
        logger.info({ projection: definition.name, requestId, ...result }, 'rebuild completed');
      } catch (error) {
        // Interrupted (stopping, or the database gone too long): the request stays pending and is resumed.
        if (error instanceof ReplayInterruptedError || isConnectionError(error)) throw error;
        logger.error({ projection: definition.name, requestId, err: error }, 'rebuild failed');
        await handleCommand(
          store,
          streamId,
          projectionRebuildDecider,
          {
            type: 'FailProjectionRebuild',
            data: {
              projection: definition.name,
              requestId,
              error: error instanceof Error ? error.message : String(error),
              at: new Date().toISOString(),
            },
          },
          { commandId: `rebuild-failed:${requestId}` },
        );
      }
    } catch (error) {
      broken = isConnectionError(error);
      throw error;
    } finally {
      if (!broken) await client.query('SELECT pg_advisory_unlock_all()').catch(() => (broken = true));
      client.release(broken);
    }
  }
}
