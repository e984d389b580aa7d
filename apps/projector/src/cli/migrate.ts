import pg from 'pg';
import { createReadModelDataSource } from '#read-models';
import type { Logger } from '#adapters';
import { migrateStorage, openEventStore, type ConsoleConfig, type MigrationReport } from '#runtime';

/**
 * `console migrate`: the schemas a deployment's api and projector expect, created or updated once
 * before they start (compose's `migrate` service), so they can run with MIGRATE_ON_START=false and
 * no DDL rights. Opens only the stores: no identity key, no cipher, no subscription.
 */
export async function migrate(config: ConsoleConfig, databaseUrl: string, logger: Logger): Promise<MigrationReport> {
  const store = await openEventStore(config.eventStoreUrl ?? databaseUrl, logger);
  const dataSource = createReadModelDataSource(databaseUrl, { poolSize: 2 });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle read-model connection lost'));
  try {
    await dataSource.initialize();
    return await migrateStorage({ store, dataSource, pool });
  } finally {
    await Promise.allSettled([pool.end(), dataSource.isInitialized ? dataSource.destroy() : undefined, store.close()]);
  }
}

export function describeMigration(report: MigrationReport, seconds: number): string {
  const readModels = report.readModelMigrations.length > 0 ? `applied ${report.readModelMigrations.join(', ')}` : 'nothing pending';
  const projections =
    report.projectionsCreated.length > 0 ? `registered ${report.projectionsCreated.join(', ')}` : 'all already registered';
  const eventStore = report.eventStore === 'postgres' ? 'PostgreSQL schema current' : 'EventStoreDB (no schema)';
  return `migrated in ${seconds.toFixed(2)} s: event store: ${eventStore}; read models: ${readModels}; projections: ${projections}\n`;
}
