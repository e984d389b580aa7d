import pg from 'pg';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { EventStoreDbEventStore, PostgresEventStore, type EventStore } from '#event-store';
import { CheckpointWaiter, PROJECTIONS, ReplicaCheckpointWaiter, createReadModelDataSource } from '#read-models';
import {
  LocalIdentityProvider,
  QueryObserver,
  SessionTokenVerifier,
  TokenCipher,
  createLogger,
  type Logger,
  type SessionAuthenticator,
} from '#adapters';
import type { ConsoleConfig } from './config.js';
import { observedPostgresEventStore, watchDatabases, withNamedStatements } from './observed-databases.js';
import { assertReadReplicaMigrated, assertStorageMigrated, migrateStorage } from './storage-schema.js';

/** Everything the api, the projector and the CLI share, opened once per process. */
export interface Runtime {
  readonly config: ConsoleConfig;
  readonly databaseUrl: string;
  readonly logger: Logger;
  readonly store: EventStore;
  readonly dataSource: DataSource;
  /** For projector runners: each holds a session (advisory lock) for as long as it runs. */
  readonly projectorPool: pg.Pool;
  readonly checkpoints: CheckpointWaiter;
  /**
   * What the api reads: the read replica (`readDatabaseUrl`) when given, else `dataSource` itself.
   * Nothing is ever written through it: a replica refuses writes.
   */
  readonly readDataSource: DataSource;
  /** Waits for projections as `readDataSource` has them: the replica's checkpoints (polled), else `checkpoints` itself. */
  readonly readCheckpoints: CheckpointWaiter;
  /** Mints local tokens (CLI, `npm start`); they are accepted only when Clerk is not configured. */
  readonly identity: LocalIdentityProvider;
  /** Verifies the session tokens the API accepts: Clerk's when configured, else the local provider's. */
  readonly authenticator: SessionAuthenticator;
  /** Seals and opens GitHub tokens at rest (AES-256-GCM). */
  readonly cipher: TokenCipher;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly databaseUrl: string;
  /**
   * The api's read replica (DATABASE_READ_URL). Only the api passes it: the projector, its reactors
   * and the CLI read what they write, so they stay on `databaseUrl`.
   */
  readonly readDatabaseUrl?: string;
  readonly identity?: LocalIdentityProvider;
  readonly logger?: Logger;
  /** Tests pass their own key, so no key file is written under DATA_DIR. */
  readonly cipher?: TokenCipher;
}

export async function openRuntime(config: ConsoleConfig, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger ?? createLogger('console');
  // Every pool's statements are timed, named and counted (db_query_duration_seconds, slow-query log).
  const queries = new QueryObserver({ logger, slowQueryMs: config.queryMonitoring.slowQueryMs });
  const store = withNamedStatements(
    await openEventStore(config.eventStoreUrl ?? options.databaseUrl, logger, queries, { groupCommit: config.eventStoreGroupCommit }),
  );
  // The statement timeout applies to this pool only: the api's request queries are indexed lookups,
  // while projector batches, replays and the event store's subscription reads may legitimately run long.
  const dataSource = createReadModelDataSource(options.databaseUrl, {
    Client: queries.client('read_models'),
    statementTimeoutMs: config.queryMonitoring.statementTimeoutMs,
  });
  await dataSource.initialize();
  const projectorPool = queries.pool('projector', { connectionString: options.databaseUrl, max: PROJECTIONS.length * 2 + 2 });
  let closing = false;
  // Never crash on an idle client's error. Once closing, none is news: pg-pool's end() resolves
  // before its clients' sockets have closed, and an embedded PostgreSQL stopped right after it
  // terminates them, which the pool reports as errors of clients it already let go.
  projectorPool.on('error', (error) => {
    if (!closing) logger.warn({ err: error }, 'idle read-model connection lost');
  });
  try {
    const storage = { store, dataSource, pool: projectorPool };
    if (config.migrateOnStart) await migrateStorage(storage);
    else await assertStorageMigrated(storage);
  } catch (error) {
    await Promise.allSettled([projectorPool.end(), dataSource.destroy(), store.close()]);
    throw error;
  }
  const compare = (a: string, b: string) => store.comparePositions(a, b);
  let replica: ReadReplica | null = null;
  try {
    replica = options.readDatabaseUrl ? await openReadReplica(options.readDatabaseUrl, config, queries, compare) : null;
  } catch (error) {
    await Promise.allSettled([projectorPool.end(), dataSource.destroy(), store.close()]);
    throw error;
  }
  const unwatchDatabases = watchDatabases({ dataSource, projectorPool, store, readReplica: replica?.dataSource });
  const checkpoints = new CheckpointWaiter(projectorPool, options.databaseUrl, compare);
  // With Clerk configured local tokens are refused, so no key file is written: an in-memory key
  // keeps the type (the CLI's `token` refuses to mint in that mode).
  const identity =
    options.identity ??
    (config.clerk ? await LocalIdentityProvider.ephemeral() : await LocalIdentityProvider.fromDirectory(join(config.dataDir, 'identity')));
  const authenticator = config.clerk ? new SessionTokenVerifier(config.clerk) : identity;
  let cipher = options.cipher ?? (config.encryptionKey ? new TokenCipher(config.encryptionKey, config.previousEncryptionKeys) : undefined);
  return {
    config,
    databaseUrl: options.databaseUrl,
    logger,
    store,
    dataSource,
    projectorPool,
    checkpoints,
    readDataSource: replica?.dataSource ?? dataSource,
    readCheckpoints: replica?.checkpoints ?? checkpoints,
    identity,
    authenticator,
    // Without ENCRYPTION_KEY the key file is read (or generated) on first use only: the projector,
    // the CLI and the benchmarks never seal a token and must not create a key they do not need.
    get cipher() {
      if (!cipher) {
        const path = join(config.dataDir, 'encryption.key');
        if (config.databaseUrl)
          logger.warn(
            { path },
            'ENCRYPTION_KEY is not set: GitHub tokens are sealed with a key kept in the data dir; set ENCRYPTION_KEY so every api process shares one key',
          );
        cipher = TokenCipher.fromKeyFile(path, config.previousEncryptionKeys);
      }
      return cipher;
    },
    async close() {
      closing = true;
      unwatchDatabases();
      await checkpoints.close();
      await replica?.close();
      await projectorPool.end();
      await dataSource.destroy();
      await store.close();
    },
  };
}

/** The longest a read of the replica's checkpoints may take (they are a dozen indexed rows). */
const REPLICA_CHECKPOINT_TIMEOUT_MS = 2000;

interface ReadReplica {
  readonly dataSource: DataSource;
  readonly checkpoints: CheckpointWaiter;
  close(): Promise<void>;
}

/**
 * The api's read-model queries and checkpoint reads on the replica, under the same statement
 * timeout as on the primary. Its checkpoints have a small pool of their own: one poll at a time,
 * plus the `?minPosition=` waits' first reads.
 */
async function openReadReplica(
  url: string,
  config: ConsoleConfig,
  queries: QueryObserver,
  compare: (a: string, b: string) => number,
): Promise<ReadReplica> {
  const dataSource = createReadModelDataSource(url, {
    Client: queries.client('read_replica'),
    statementTimeoutMs: config.queryMonitoring.statementTimeoutMs,
  });
  await dataSource.initialize();
  // A poll that hangs (a replica that stopped answering) must fail, so that `listening` turns false
  // and the caches read through rather than trust what they hold.
  const pool = queries.pool('read_replica', {
    connectionString: url,
    max: 3,
    connectionTimeoutMillis: REPLICA_CHECKPOINT_TIMEOUT_MS,
    query_timeout: REPLICA_CHECKPOINT_TIMEOUT_MS,
  });
  pool.on('error', () => undefined); // an idle client's loss: the next poll reports it (`listening`)
  try {
    await assertReadReplicaMigrated(dataSource);
  } catch (error) {
    await Promise.allSettled([pool.end(), dataSource.destroy()]);
    throw error;
  }
  const checkpoints = new ReplicaCheckpointWaiter(pool, compare);
  return {
    dataSource,
    checkpoints,
    async close() {
      await checkpoints.close();
      await pool.end();
      await dataSource.destroy();
    },
  };
}

/** `esdb://…` EventStoreDB, `postgres://…` the PostgreSQL store (its schema is `migrateStorage`'s work). */
export async function openEventStore(
  url: string,
  logger: Logger,
  queries?: QueryObserver,
  options: { readonly groupCommit?: boolean } = {},
): Promise<EventStore> {
  if (url.startsWith('esdb://') || url.startsWith('esdb+discover://')) return EventStoreDbEventStore.fromConnectionString(url, { logger });
  if (!url.startsWith('postgres://') && !url.startsWith('postgresql://'))
    throw new Error(`EVENT_STORE_URL must be esdb://… or postgres://…, got ${url}`);
  const groupCommit = options.groupCommit === false ? false : undefined;
  return queries ? observedPostgresEventStore(url, queries, groupCommit) : new PostgresEventStore({ connectionString: url, groupCommit });
}
