import type pg from 'pg';
import { DataSource, MigrationExecutor } from 'typeorm';
import { ProjectorCatalog1764100000000 } from './catalog.migration.js';
import { MergeCounts1764200000000 } from './merge-counts.migration.js';
import { SearchBands1796400000000 } from '../documents/search-bands.migration.js';
import { MergeCountsByAddedKeys1796500000000 } from './merge-counts-by-added-keys.migration.js';
import { ChunkEmbeddings1796600000000 } from '../documents/chunk-embeddings.js';
import { ProjectorProcesses1796700000000 } from './projector-processes.migration.js';

export interface ReadModelDataSourceOptions {
  readonly poolSize?: number;
  /** PostgreSQL cancels a statement of this pool running longer (`statement_timeout`); unset or 0: no limit. Migrations are exempt. */
  readonly statementTimeoutMs?: number;
  /** The pg client class of the pool (an observed one times and names every statement). */
  readonly Client?: typeof pg.Client;
}

export function createReadModelDataSource(url: string, options: ReadModelDataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: [
      ProjectorCatalog1764100000000,
      MergeCounts1764200000000,
      SearchBands1796400000000,
      MergeCountsByAddedKeys1796500000000,
      ChunkEmbeddings1796600000000,
      ProjectorProcesses1796700000000,
    ],
    migrationsTableName: 'read_model_migrations',
    extra: {
      max: options.poolSize ?? 10,
      ...(options.Client ? { Client: options.Client } : {}),
      // A connection parameter: every session of the pool starts with it, at no cost per statement.
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
    logging: false,
  });
}

/**
 * Runs pending migrations once even when the api and the projector start together. They run on the
 * session that holds the lock, with no statement timeout: a migration may rewrite a large table,
 * and waiting for another process's migrations is not a slow query.
 */
export async function migrateReadModels(dataSource: DataSource): Promise<void> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SET statement_timeout = 0');
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', ['read_model_migrations']);
    const migrations = new MigrationExecutor(dataSource, lock);
    migrations.transaction = 'each';
    await migrations.executePendingMigrations();
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', ['read_model_migrations']).catch(() => undefined);
    await lock.query('RESET statement_timeout').catch(() => undefined); // back to the pool's own setting
    await lock.release();
  }
}
