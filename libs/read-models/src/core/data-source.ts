import { DataSource } from 'typeorm';
import { ProjectorCatalog1764100000000 } from './catalog.migration.js';
import { MergeCounts1764200000000 } from './merge-counts.migration.js';

export function createReadModelDataSource(url: string, options: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: [ProjectorCatalog1764100000000, MergeCounts1764200000000],
    migrationsTableName: 'read_model_migrations',
    extra: { max: options.poolSize ?? 10 },
    logging: false,
  });
}

/** Runs pending migrations once even when the api and the projector start together. */
export async function migrateReadModels(dataSource: DataSource): Promise<void> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', ['read_model_migrations']);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', ['read_model_migrations']).catch(() => undefined);
    await lock.release();
  }
}
