import type pg from 'pg';
import type { RecordedEvent } from '#domain';
import { isConnectionError, type EventStore, type Position, type Subscription, type SubscriptionBatch } from '#event-store';
import {
  CHECKPOINT_CHANNEL,
  RowChangeBatch,
  activeGeneration,
  checkoutClient,
  readCheckpoint,
  schemaHash,
  writeRowChanges,
  type ProjectionDefinition,
  type TableDefinition,
} from '#read-models';
import { projectorBatchDuration, projectorDeadLettersTotal, projectorEventsPerSecond, projectorEventsTotal, type Logger } from '#adapters';

export type RunnerMode = 'live' | 'replay';

export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  /** Where the runner subscribes (default the store): the daemon's shared reader in live mode. */
  readonly source?: Pick<EventStore, 'subscribe'>;
  readonly pool: pg.Pool;
  readonly definition: ProjectionDefinition;
  readonly logger: Logger;
  /** live: poison events are dead-lettered and the projection moves on; replay: the run stops. */
  readonly mode: RunnerMode;
  /** Build this generation instead of the active one (the replay CLI). */
  readonly generation?: number;
  readonly maxBatchSize?: number;
  readonly stopWhenCaughtUp?: boolean;
  /** Restart a subscription that made no progress for this long while the store's head moved. */
  readonly watchdogMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number; readonly factor: number };
  /**
   * Replay: stop (rejecting `done` with the connection error) once the database has been unreachable
   * this long; a later replay resumes from the checkpoint. Live runners retry for as long as they run.
   */
  readonly giveUpAfterMs?: number;
  readonly onBatch?: (progress: { readonly applied: number; readonly position: Position; readonly caughtUp: boolean }) => void;
}

export class PoisonEventError extends Error {
  constructor(
    readonly event: RecordedEvent,
    cause: unknown,
  ) {
    super(
      `Projection failed on ${event.type} ${event.id} at ${event.position}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'PoisonEventError';
  }
}

class SchemaMismatchError extends Error {}

/**
 * Runs one projection generation: a catch-up subscription from the stored checkpoint, each batch
 * applied with its checkpoint in one transaction (a crash at any instant neither loses nor
 * double-counts), under a session advisory lock so only one instance writes; others stand by.
 */
export class ProjectionRunner {
  private stopped = false;
  private subscription: Subscription | null = null;
  private lastProgressAt = Date.now();
  private applying = false;
  private watchdog: NodeJS.Timeout | null = null;
  private wakeStandby: (() => void) | null = null;
  readonly done: Promise<void>;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };
  private readonly tables: ReadonlyMap<string, TableDefinition>;
  state: 'starting' | 'standby' | 'running' | 'needs-replay' | 'stopped' = 'starting';
  /** The generation this runner last took the lock of (null before it ever did). */
  generation: number | null = null;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.tables = new Map(options.definition.tables.map((t) => [t.name, t]));
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  }

  get name(): string {
    return this.options.definition.name;
  }

  start(): this {
    void this.loop();
    const watchdogMs = this.options.watchdogMs ?? 30_000;
    this.watchdog = setInterval(() => void this.checkStalled(watchdogMs), Math.max(1000, watchdogMs / 3));
    this.watchdog.unref();
    return this;
  }

  /** Restart on the newly active generation (after a blue/green switch). */
  restart(): void {
    void this.subscription?.close();
    this.wakeStandby?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    await this.subscription?.close();
    this.wakeStandby?.();
    await this.done.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    const backoff = this.options.backoff ?? { initialMs: 100, maxMs: 10_000, factor: 1.5 };
    let delayMs = backoff.initialMs;
    let outageSince: number | null = null;
    while (!this.stopped) {
      let client: pg.PoolClient | null = null;
      let broken = false;
      try {
        // The lock lives in this session: when the session dies the lock is gone, and another
        // instance may take it. Every write goes through this same session, so none can land
        // without the lock; the subscription is closed at once so the loop re-contends for it.
        client = await checkoutClient(this.options.pool, (error) => {
          if (this.state === 'running') this.options.logger.warn({ projection: this.name, err: error }, 'lock session lost; re-contending');
          void this.subscription?.close();
        });
        const generation = await this.acquire(client);
        outageSince = null;
        if (generation === null) continue;
        this.state = 'running';
        this.generation = generation;
        // The watchdog measures from here: time spent standing by is not a stalled subscription.
        this.lastProgressAt = Date.now();
        const finished = await this.consume(client, generation, () => (delayMs = backoff.initialMs));
        if (finished) {
          this.stopped = true;
          break;
        }
      } catch (error) {
        broken = isConnectionError(error);
        if (broken) outageSince ??= Date.now();
        const outageTooLong = broken && this.options.giveUpAfterMs !== undefined && Date.now() - outageSince! > this.options.giveUpAfterMs;
        if ((error instanceof PoisonEventError && this.options.mode === 'replay') || outageTooLong) {
          this.stopped = true;
          this.state = 'stopped';
          this.settle.reject(error);
          return; // the finally block releases the client
        }
        if (error instanceof SchemaMismatchError) {
          this.state = 'needs-replay';
          this.options.logger.error({ projection: this.name }, error.message);
          delayMs = backoff.maxMs;
        } else {
          this.options.logger.warn(
            { projection: this.name, err: error, retryInMs: delayMs },
            'projection interrupted; resubscribing from checkpoint',
          );
        }
        await this.pause(delayMs);
        delayMs = Math.min(backoff.maxMs, delayMs * backoff.factor);
      } finally {
        await this.release(client, broken);
      }
    }
    this.state = 'stopped';
    this.settle.resolve();
  }

  /** Takes the generation's advisory lock, or waits as a standby. Null when stopped or asked to re-check. */
  private async acquire(client: pg.PoolClient): Promise<number | null> {
    const active = await activeGeneration(client, this.name);
    if (!active) throw new Error(`Projection ${this.name} has no generation; run migrations first`);
    const generation = this.options.generation ?? active.generation;
    if (this.options.generation === undefined && active.schemaHash !== schemaHash(this.options.definition)) {
      throw new SchemaMismatchError(
        `Projection ${this.name}: its tables changed in code; run \`npm run console -- replay ${this.name}\` to rebuild`,
      );
    }
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      lockName(this.name, generation),
    ]);
    if (rows[0]!.locked) {
      if (this.state !== 'running') this.options.logger.info({ projection: this.name, generation }, 'projection lock taken; applying');
      return generation;
    }
    if (this.state !== 'standby')
      this.options.logger.info({ projection: this.name, generation }, 'projection held by another process; standing by');
    this.state = 'standby';
    await this.pause(1000);
    return null;
  }

  private async consume(client: pg.PoolClient, generation: number, onProgress: () => void): Promise<boolean> {
    const checkpoint = await readCheckpoint(client, this.name, generation);
    if (!checkpoint) throw new Error(`Projection ${this.name} generation ${generation} has no checkpoint`);
    const subscription = (this.options.source ?? this.options.store).subscribe({
      after: checkpoint.position,
      eventTypes: this.options.definition.eventTypes,
      // "Up to": live batches hold what has arrived, so big limits only matter while catching up.
      maxBatchSize: this.options.maxBatchSize ?? this.options.definition.maxBatchSize ?? (this.options.mode === 'replay' ? 5000 : 2000),
    });
    this.subscription = subscription;
    if (this.stopped) await subscription.close();
    // "Caught up" only counts once everything that existed when we started is applied: a long
    // transaction anywhere in the cluster can hold the visible horizon back for a while.
    const target = this.options.stopWhenCaughtUp ? await this.options.store.headPosition() : null;
    try {
      for await (const batch of subscription) {
        const started = process.hrtime.bigint();
        // A batch that arrived is progress; while it is applied the watchdog leaves it alone (a
        // batch of large events can take longer to write than the watchdog's interval).
        this.lastProgressAt = Date.now();
        this.applying = true;
        const applied = await this.applyBatch(client, generation, batch).finally(() => (this.applying = false));
        this.lastProgressAt = Date.now();
        onProgress();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (applied > 0) {
          projectorEventsTotal.inc({ projection: this.name }, applied);
          projectorBatchDuration.observe({ projection: this.name }, seconds);
          projectorEventsPerSecond.set({ projection: this.name }, applied / Math.max(seconds, 1e-6));
        }
        this.options.onBatch?.({ applied, position: batch.checkpoint, caughtUp: batch.caughtUp });
        if (batch.caughtUp && target !== null && this.options.store.comparePositions(batch.checkpoint, target) >= 0) return true;
      }
    } finally {
      this.subscription = null;
      await subscription.close();
    }
    return false;
  }

  /** Returns the number of events applied (events at or before the checkpoint are skipped). */
  async applyBatch(client: pg.PoolClient, generation: number, batch: SubscriptionBatch): Promise<number> {
    // Asynchronous commit: the batch's rows and its checkpoint still commit atomically and become
    // visible at once, but the commit does not wait for the WAL flush. A server crash can lose the
    // last few hundred milliseconds of batches, rows and checkpoint together, and they are applied
    // again from the log; the event store's appends stay synchronous. Under ingestion load half the
    // projector's commit time was the flush and the NOTIFY queue's lock held across it.
    await client.query('BEGIN; SET LOCAL synchronous_commit = off');
    try {
      const checkpoint = await readCheckpoint(client, this.name, generation, true);
      if (!checkpoint) throw new Error(`Projection ${this.name} generation ${generation} has no checkpoint`);
      const store = this.options.store;
      const events = batch.events.filter((event) => store.comparePositions(event.position, checkpoint.position) > 0);
      if (store.comparePositions(batch.checkpoint, checkpoint.position) <= 0) {
        await client.query('COMMIT');
        return 0;
      }
      const deadLetters = await this.writeEvents(client, generation, events);
      await client.query(
        `UPDATE projection_checkpoints
            SET position = $3, events_processed = events_processed + $4, last_event_at = COALESCE($5, last_event_at), updated_at = now()
          WHERE name = $1 AND generation = $2`,
        [this.name, generation, batch.checkpoint, events.length, events.at(-1)?.recordedAt ?? null],
      );
      await client.query('SELECT pg_notify($1, $2)', [CHECKPOINT_CHANNEL, this.name]);
      await client.query('COMMIT');
      if (deadLetters > 0) projectorDeadLettersTotal.inc({ projection: this.name }, deadLetters);
      return events.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Applies the events' changes. When the batch's SQL fails for a reason other than the connection,
   * the events are retried one by one under savepoints to find the poison ones.
   */
  private async writeEvents(client: pg.PoolClient, generation: number, events: readonly RecordedEvent[]): Promise<number> {
    const batch = new RowChangeBatch(this.tables);
    const poisoned: Array<{ event: RecordedEvent; error: unknown }> = [];
    for (const event of events) {
      try {
        batch.addAll(this.options.definition.apply(event));
      } catch (error) {
        poisoned.push({ event, error });
      }
    }
    if (poisoned.length > 0 && this.options.mode === 'replay') throw new PoisonEventError(poisoned[0]!.event, poisoned[0]!.error);
    await client.query('SAVEPOINT batch');
    try {
      await writeRowChanges(client, batch, this.tables, generation);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT batch');
      poisoned.length = 0;
      for (const event of events) {
        const single = new RowChangeBatch(this.tables);
        let savepoint = false;
        try {
          single.addAll(this.options.definition.apply(event));
          await client.query('SAVEPOINT one');
          savepoint = true;
          await writeRowChanges(client, single, this.tables, generation);
          await client.query('RELEASE SAVEPOINT one');
        } catch (eventError) {
          if (isConnectionError(eventError)) throw eventError;
          if (this.options.mode === 'replay') throw new PoisonEventError(event, eventError);
          // Only a failed write left the transaction aborted; an `apply` that threw wrote nothing.
          if (savepoint) await client.query('ROLLBACK TO SAVEPOINT one');
          poisoned.push({ event, error: eventError });
        }
      }
    }
    for (const { event, error } of poisoned) {
      this.options.logger.error(
        { projection: this.name, eventId: event.id, type: event.type, err: error },
        'poison event sent to dead letters',
      );
      await client.query(
        `INSERT INTO projection_dead_letters (name, generation, event_id, event_type, stream_id, position, error, event)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name, generation, event_id) DO NOTHING`,
        [
          this.name,
          generation,
          event.id,
          event.type,
          event.streamId,
          event.position,
          error instanceof Error ? error.message : String(error),
          JSON.stringify({ ...event, revision: event.revision.toString() }),
        ],
      );
    }
    return poisoned.length;
  }

  private async checkStalled(watchdogMs: number): Promise<void> {
    if (this.state !== 'running' || !this.subscription || this.applying || Date.now() - this.lastProgressAt < watchdogMs) return;
    try {
      const client = await checkoutClient(this.options.pool);
      try {
        const generation = this.options.generation ?? (await activeGeneration(client, this.name))?.generation ?? 1;
        const checkpoint = await readCheckpoint(client, this.name, generation);
        const head = await this.options.store.headPosition();
        if (checkpoint && this.options.store.comparePositions(head, checkpoint.position) > 0) {
          this.options.logger.warn({ projection: this.name, head, checkpoint: checkpoint.position }, 'subscription stalled; restarting it');
          this.lastProgressAt = Date.now();
          await this.subscription?.close();
        }
      } finally {
        client.release();
      }
    } catch (error) {
      this.options.logger.warn({ projection: this.name, err: error }, 'watchdog check failed');
    }
  }

  private async release(client: pg.PoolClient | null, broken: boolean): Promise<void> {
    if (!client) return;
    if (!broken) {
      // Unlock every generation this session may hold; harmless when it holds none.
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => (broken = true));
    }
    client.release(broken);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      this.wakeStandby = wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

export const lockName = (name: string, generation: number) => `projection:${name}:g${generation}`;
