import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresEventStore } from '#event-store';
import { PROJECTIONS, createReadModelDataSource } from '#read-models';
import { LocalIdentityProvider, createLogger } from '#adapters';
import { createTestDatabase, type TestDatabase } from '#testing';
import { loadConfig } from './config.js';
import { openRuntime } from './runtime.js';
import { StorageNotMigratedError, assertStorageMigrated, migrateStorage, type Storage } from './storage-schema.js';

const logger = createLogger('test', 'silent');

async function openStorage(url: string): Promise<Storage & { close(): Promise<void> }> {
  const store = new PostgresEventStore({ connectionString: url });
  const dataSource = createReadModelDataSource(url, { poolSize: 2 });
  await dataSource.initialize();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return { store, dataSource, pool, close: async () => void (await Promise.all([pool.end(), dataSource.destroy(), store.close()])) };
}

describe('migrateStorage and assertStorageMigrated', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('refuses an empty database, naming the event store, the read-model migrations and the projections', async () => {
    const storage = await openStorage(database.url);
    try {
      const error = await assertStorageMigrated(storage).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageNotMigratedError);
      expect((error as StorageNotMigratedError).missing).toEqual([
        'the event store has no schema',
        expect.stringMatching(/^read-model migrations pending: ProjectorCatalog\d+, /),
        `projections not registered: ${PROJECTIONS.map((p) => p.name).join(', ')}`,
      ]);
      expect((error as Error).message).toMatch(/Run `console migrate`/);
    } finally {
      await storage.close();
    }
  });

  it('applies everything exactly once when two runs start at the same time, and nothing on a third', async () => {
    const [a, b] = await Promise.all([openStorage(database.url), openStorage(database.url)]);
    try {
      const [first, second] = await Promise.all([migrateStorage(a), migrateStorage(b)]);
      const migrations = [...first.readModelMigrations, ...second.readModelMigrations];
      expect(migrations.sort()).toEqual(a.dataSource.migrations.map((m) => m.name!).sort());
      const created = [...first.projectionsCreated, ...second.projectionsCreated];
      expect(created.sort()).toEqual(PROJECTIONS.map((p) => p.name).sort());
      await expect(assertStorageMigrated(a)).resolves.toBeUndefined();
      expect(await migrateStorage(a)).toEqual({ eventStore: 'postgres', readModelMigrations: [], projectionsCreated: [] });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('MIGRATE_ON_START=false', () => {
  let database: TestDatabase;
  /** A role that may read and write rows but create nothing: what an api or projector needs after `console migrate`. */
  const role = `console_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let roleUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const storage = await openStorage(database.url);
    await migrateStorage(storage).finally(() => storage.close());
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      for (const sql of [
        `REVOKE CREATE ON SCHEMA public FROM PUBLIC`, // PostgreSQL 15's default, stated for older servers
        `GRANT USAGE ON SCHEMA public TO ${role}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
      ])
        await admin.query(sql);
    } finally {
      await admin.end();
    }
    const url = new URL(database.url);
    url.username = role;
    url.password = password;
    roleUrl = url.toString();
  });

  afterAll(async () => {
    await database?.drop(); // first: the role's privileges live in that database
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
  });

  const configFor = (migrateOnStart: boolean) => loadConfig({ DATABASE_URL: roleUrl, MIGRATE_ON_START: String(migrateOnStart) });
  // An in-memory identity: nothing is written under DATA_DIR.
  const open = async (migrateOnStart: boolean) =>
    openRuntime(configFor(migrateOnStart), { databaseUrl: roleUrl, logger, identity: await LocalIdentityProvider.ephemeral() });

  it('opens the runtime with no DDL rights once migrated, and appends', async () => {
    const runtime = await open(false);
    try {
      const appended = await runtime.store.append('no-ddl-1', [{ id: randomUUID(), type: 'Probe', data: {} }], 'no-stream');
      expect(appended.nextExpectedRevision).toBe(0n);
    } finally {
      await runtime.close();
    }
  });

  it('is what that role needs: migrating at start is refused for lack of DDL rights', async () => {
    await expect(open(true)).rejects.toThrow(/permission denied|must be owner/);
  });
});
