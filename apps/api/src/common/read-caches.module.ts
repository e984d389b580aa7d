import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Counter } from 'prom-client';
import { ProjectionCaches, sqlOnDataSource, type CheckpointWaiter, type Sql } from '#read-models';
import type { EventStore } from '#event-store';
import { inStatement, metricsRegistry, type Logger } from '#adapters';
import { CHECKPOINTS, EVENT_STORE, LOGGER, READ_DATABASE } from '#runtime';
import { WorkspaceLookup } from '../workspaces/workspace-lookup.js';

export const readCacheLookups = new Counter({
  name: 'read_cache_lookups_total',
  help: 'Per-request lookups (membership, workspace by name) by cache and how they were answered: hit, miss (read, then kept) or bypass (read, not kept: a change or a lost notification connection)',
  labelNames: ['cache', 'outcome'] as const,
  registers: [metricsRegistry],
});

/**
 * One `ProjectionCaches` per api process (every cache of a projection shares its notifications and
 * checkpoint checks), and the lookups built on it. Global: authorization (`OrgAccess`), the
 * consistency interceptor and every `{org}/{ws}` route use them.
 */
@Global()
@Module({
  providers: [
    {
      provide: ProjectionCaches,
      useFactory: (waiter: CheckpointWaiter, database: DataSource, store: EventStore, logger: Logger) => {
        const read = sqlOnDataSource(database);
        const sql: Sql = (text, params) => inStatement('ProjectionCaches.check', () => read(text, params));
        return new ProjectionCaches({
          waiter,
          sql,
          compare: (a, b) => store.comparePositions(a, b),
          onLookup: (cache, outcome) => readCacheLookups.inc({ cache, outcome }),
          onError: (error) => logger.warn({ err: error }, 'read caches: cannot listen for checkpoint notifications; lookups read through'),
        });
      },
      inject: [CHECKPOINTS, READ_DATABASE, EVENT_STORE, LOGGER],
    },
    WorkspaceLookup,
  ],
  exports: [ProjectionCaches, WorkspaceLookup],
})
export class ReadCachesModule implements OnApplicationShutdown {
  constructor(@Inject(ProjectionCaches) private readonly caches: ProjectionCaches) {}

  onApplicationShutdown(): void {
    this.caches.close();
  }
}
