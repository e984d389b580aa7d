import pg from 'pg';
import type { EventStore } from '#event-store';
import { PROJECTIONS, SWITCH_CHANNEL, type ProjectionDefinition } from '#read-models';
import type { Logger } from '#adapters';
import { ProjectionRunner } from './projection-runner.js';

export interface ProjectorDaemonOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly connectionString: string;
  readonly logger: Logger;
  readonly projections?: readonly ProjectionDefinition[];
  readonly watchdogMs?: number;
}

/**
 * Runs every projection live, one runner each. A blue/green switch made by the replay CLI is
 * announced on a channel; the runner of that projection then restarts on the new generation.
 */
export class ProjectorDaemon {
  readonly runners: ProjectionRunner[];
  private listener: pg.Client | null = null;
  private stopped = false;

  constructor(private readonly options: ProjectorDaemonOptions) {
    this.runners = (options.projections ?? PROJECTIONS).map(
      (definition) =>
        new ProjectionRunner({
          store: options.store,
          pool: options.pool,
          definition,
          logger: options.logger,
          mode: 'live',
          watchdogMs: options.watchdogMs,
        }),
    );
  }

  async start(): Promise<void> {
    await this.listenForSwitches();
    for (const runner of this.runners) runner.start();
    this.options.logger.info({ projections: this.runners.map((r) => r.name) }, 'projector started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.listener?.end().catch(() => undefined);
  }

  private async listenForSwitches(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('notification', (message) => {
      const runner = this.runners.find((r) => r.name === message.payload);
      this.options.logger.info({ projection: message.payload }, 'generation switched; restarting its runner');
      runner?.restart();
    });
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'switch listener lost; reconnecting');
      this.listener = null;
      void client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => void this.listenForSwitches().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${SWITCH_CHANNEL}`);
    this.listener = client;
    // A switch made while we were not listening is picked up too: runners re-read the active generation.
    if (!this.stopped) for (const runner of this.runners) if (runner.state === 'running') runner.restart();
  }
}
