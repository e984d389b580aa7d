import pg from 'pg';
import type { EventStore } from '#event-store';
import { PROJECTIONS, SWITCH_CHANNEL, type ProjectionDefinition } from '#read-models';
import type { Logger } from '#adapters';
import { ProjectionRunner } from './projection-runner.js';
import { SharedLogReader } from './shared-log-reader.js';
import { RebuildWorker } from './rebuild-worker.js';
import { ProcessHeartbeat } from './process-heartbeat.js';
import { REBUILD_CHANNEL } from '#runtime';

export interface ProjectorDaemonOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly connectionString: string;
  readonly logger: Logger;
  readonly projections?: readonly ProjectionDefinition[];
  readonly watchdogMs?: number;
  /** One read of the log for every projection (default); false: one subscription per projection. */
  readonly sharedReader?: boolean;
  /** Run the rebuilds operators request (default true). */
  readonly rebuilds?: boolean;
  /** How often this process records its active and standby projections in `projector_processes` (default 5 s). */
  readonly heartbeatMs?: number;
}

/**
 * Runs every projection live, one runner each, fed by one read of the log (`SharedLogReader`). A
 * blue/green switch made by the replay CLI is announced on a channel; the runner of that projection
 * then restarts on the new generation.
 */
export class ProjectorDaemon {
  readonly runners: ProjectionRunner[];
  readonly reader: SharedLogReader | null;
  readonly rebuilds: RebuildWorker | null;
  readonly heartbeat: ProcessHeartbeat;
  private listener: pg.Client | null = null;
  private relistenTimer: NodeJS.Timeout | null = null;
  private relistenDelayMs = 100;
  private stopped = false;

  constructor(private readonly options: ProjectorDaemonOptions) {
    const definitions = options.projections ?? PROJECTIONS;
    this.reader =
      options.sharedReader === false
        ? null
        : new SharedLogReader({ store: options.store, eventTypes: [...new Set(definitions.flatMap((d) => d.eventTypes))] });
    this.runners = definitions.map(
      (definition) =>
        new ProjectionRunner({
          store: options.store,
          source: this.reader ?? undefined,
          pool: options.pool,
          definition,
          logger: options.logger,
          mode: 'live',
          watchdogMs: options.watchdogMs,
        }),
    );
    this.rebuilds =
      options.rebuilds === false
        ? null
        : new RebuildWorker({ store: options.store, pool: options.pool, logger: options.logger, definitions });
    this.heartbeat = new ProcessHeartbeat({
      pool: options.pool,
      runners: this.runners,
      logger: options.logger,
      intervalMs: options.heartbeatMs,
    });
  }

  async start(): Promise<void> {
    await this.listenForSwitches();
    for (const runner of this.runners) runner.start();
    this.rebuilds?.start();
    this.heartbeat.start();
    this.options.logger.info({ projections: this.runners.map((r) => r.name) }, 'projector started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.relistenTimer) clearTimeout(this.relistenTimer);
    await this.rebuilds?.stop();
    await this.heartbeat.stop();
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.reader?.close();
    await this.listener?.end().catch(() => undefined);
  }

  private async listenForSwitches(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('notification', (message) => {
      if (message.channel === REBUILD_CHANNEL) return this.rebuilds?.lookForRequests(message.payload);
      const runner = this.runners.find((r) => r.name === message.payload);
      this.options.logger.info({ projection: message.payload }, 'generation switched; restarting its runner');
      runner?.restart();
    });
    client.on('error', (error) => {
      if (this.listener !== client) return; // pg reports one loss twice (the server's error, then the socket's end)
      this.options.logger.warn({ err: error }, 'switch listener lost; reconnecting');
      this.listener = null;
      void client.end().catch(() => undefined);
      this.relistenLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SWITCH_CHANNEL}; LISTEN ${REBUILD_CHANNEL}`);
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) return void (await client.end().catch(() => undefined));
    this.listener = client;
    this.relistenDelayMs = 100;
    this.rebuilds?.lookForRequests();
    await this.restartSwitchedRunners();
  }

  /**
   * A switch made while we were not listening is picked up too: the runners on a generation that is
   * no longer active restart on the active one. Only those: a restart lets go of the lock, and a
   * standby elsewhere may take it, a needless handover after every reconnect.
   */
  private async restartSwitchedRunners(): Promise<void> {
    const running = this.runners.filter((runner) => runner.state === 'running');
    if (running.length === 0) return;
    const active = await this.options.pool
      .query<{ name: string; active_generation: number }>('SELECT name, active_generation FROM projection_generations')
      .then(({ rows }) => new Map(rows.map((row) => [row.name, row.active_generation])))
      .catch(() => null); // unknown: restart them all, each re-reads its generation
    for (const runner of running) if (!active || active.get(runner.name) !== runner.generation) runner.restart();
  }

  /** Until LISTEN works again, with backoff: a missed switch would leave a runner on a dropped generation. */
  private relistenLater(): void {
    if (this.stopped || this.relistenTimer) return;
    const delayMs = this.relistenDelayMs;
    this.relistenDelayMs = Math.min(5000, delayMs * 2);
    this.relistenTimer = setTimeout(() => {
      this.relistenTimer = null;
      this.listenForSwitches().catch((error: unknown) => {
        this.options.logger.warn({ err: error, retryInMs: this.relistenDelayMs }, 'switch listener could not reconnect; retrying');
        this.relistenLater();
      });
    }, delayMs);
    this.relistenTimer.unref();
  }
}
