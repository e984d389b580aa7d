import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LocalIdentityProvider, TokenCipher, createLogger, metricsRegistry } from '#adapters';
import { loadConfig, openRuntime, startEmbeddedDatabase, type ConsoleConfig, type EmbeddedDatabase, type Runtime } from '#runtime';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { ProjectorDaemon } from '../apps/projector/src/projector.daemon.js';

/**
 * Finding #35: with DATABASE_READ_URL the api reads a replica. A private PostgreSQL with
 * `wal_level=logical` holds the primary database and a replica of it fed by logical replication
 * (a publication of every table, a subscription in the replica database), which the api reads as
 * a user that can only read (SELECT grants, `default_transaction_read_only`): a write sent to the
 * replica fails loudly. The projector and the commands use the primary.
 */
const SLOT = 'console_replica';
const REPLICA_DATABASE = 'console_replica';
/** A `?minPosition=` read waits this long: enough for a replica a few milliseconds behind, short for the 503 case. */
const CONSISTENCY_TIMEOUT_MS = 3000;

let cluster: EmbeddedDatabase;
let runtime: Runtime;
let daemon: ProjectorDaemon;
let app: INestApplication;
let baseUrl: string;
/** The replica database as its superuser: the subscription's owner, and where the test looks. */
let replicaAdmin: pg.Client;

const withClient = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

const databaseUrl = (database: string, user?: { name: string; password: string }) => {
  const url = new URL(cluster.url);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user.name;
    url.password = user.password;
  }
  return url.toString();
};

async function request(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'console-replica-'));
  cluster = await startEmbeddedDatabase({
    dataDir,
    port: 0,
    persistent: false,
    settings: {
      wal_level: 'logical',
      // A re-enabled subscription's worker starts within this (default 5 s, longer than a read waits).
      wal_retrieve_retry_interval: '100ms',
    },
  });
  const primaryUrl = cluster.url;
  const identity = await LocalIdentityProvider.ephemeral();
  const logger = createLogger('test', 'silent');
  const cipher = new TokenCipher(randomBytes(32));
  const config: ConsoleConfig = { ...loadConfig({}), consistencyTimeoutMs: CONSISTENCY_TIMEOUT_MS };

  // The primary's schema (event store, read models, every projection's first generation), then a
  // publication of all of it and a slot that starts here.
  await (await openRuntime(config, { databaseUrl: primaryUrl, identity, logger, cipher })).close();
  await withClient(primaryUrl, async (client) => {
    await client.query('CREATE PUBLICATION console_all FOR ALL TABLES');
    await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [SLOT]);
  });
  // The replica starts as a copy of the primary at the slot's start (nothing wrote in between), so
  // the subscription streams from there without an initial copy. Logical replication does not
  // carry DDL: the copy is how the replica gets the schema.
  const reader = { name: 'console_reader', password: randomBytes(12).toString('hex') };
  await withClient(databaseUrl('postgres'), async (client) => {
    await client.query(`CREATE DATABASE ${REPLICA_DATABASE} TEMPLATE console`);
    await client.query(`CREATE ROLE ${reader.name} LOGIN PASSWORD '${reader.password}'`);
    // A replica is read-only: whatever the api sends there that writes must fail, not land.
    await client.query(`ALTER ROLE ${reader.name} SET default_transaction_read_only = on`);
  });
  replicaAdmin = new pg.Client({ connectionString: databaseUrl(REPLICA_DATABASE) });
  await replicaAdmin.connect();
  await replicaAdmin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader.name}`);
  const primary = new URL(primaryUrl);
  const connection = `host=${primary.hostname} port=${primary.port} dbname=console user=postgres password=${decodeURIComponent(primary.password)}`;
  await replicaAdmin.query(
    `CREATE SUBSCRIPTION console_replica CONNECTION '${connection}' PUBLICATION console_all
       WITH (create_slot = false, slot_name = '${SLOT}', copy_data = false)`,
  );

  runtime = await openRuntime(config, {
    databaseUrl: primaryUrl,
    readDatabaseUrl: databaseUrl(REPLICA_DATABASE, reader),
    identity,
    logger,
    cipher,
  });
  daemon = new ProjectorDaemon({ store: runtime.store, pool: runtime.projectorPool, connectionString: primaryUrl, logger });
  await daemon.start();
  app = await createApiApp(runtime);
  await app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  await daemon?.stop();
  await runtime?.close();
  await replicaAdmin?.end();
  await cluster?.stop();
});

const ORG = 'replica-co';
const owner = () => runtime.identity.mint({ userId: 'user_owner', organizationSlug: 'owner-home', role: 'admin' });
const outsider = () => runtime.identity.mint({ userId: 'user_outsider', organizationSlug: 'outsider-home', role: 'admin' });

/** Statements run so far, by the pool that ran them (the api's metrics). */
async function statementsByPool(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const metric = metricsRegistry.getSingleMetric('db_query_duration_seconds');
  for (const v of (await metric!.get()).values as Array<{ metricName?: string; labels: Record<string, string | number>; value: number }>)
    if (v.metricName === 'db_query_duration_seconds_count')
      counts.set(String(v.labels.pool), (counts.get(String(v.labels.pool)) ?? 0) + v.value);
  return counts;
}

/** `read_cache_lookups_total` of one cache and outcome. */
async function cacheLookups(cache: string, outcome: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('read_cache_lookups_total');
  const values = (await metric!.get()).values as Array<{ labels: Record<string, string | number>; value: number }>;
  return values.find((v) => v.labels.cache === cache && v.labels.outcome === outcome)?.value ?? 0;
}

const names = (workspaces: Array<{ name: string }>) => workspaces.map((workspace) => workspace.name);
const at = (position: string) => `minPosition=${encodeURIComponent(position)}`;

describe('an api reading a replica (DATABASE_READ_URL)', () => {
  let position: string;

  it('reads a command’s write from the replica once given its position', async () => {
    const token = await owner();
    const created = await request('POST', '/v1/orgs', token, { slug: ORG, name: 'Replica Co' });
    expect(created.status).toBe(201);
    // The organization is authorized from the replica: the create's position is what the next request waits for.
    const organization = await request('GET', `/v1/orgs/${ORG}?${at(created.body.position)}`, token);
    expect({ status: organization.status, slug: organization.body.slug }).toEqual({ status: 200, slug: ORG });

    const workspace = await request('POST', `/v1/orgs/${ORG}/workspaces`, token, { name: 'docs' });
    expect(workspace.status).toBe(201);
    position = workspace.body.position;
    const before = await statementsByPool();
    const read = await request('GET', `/v1/orgs/${ORG}/workspaces/docs?${at(position)}`, token);
    expect({ status: read.status, name: read.body.name }).toEqual({ status: 200, name: 'docs' });
    // Its checkpoint reads and its queries went to the replica's pool, none to the primary's read-model pool.
    const after = await statementsByPool();
    expect((after.get('read_replica') ?? 0) - (before.get('read_replica') ?? 0)).toBeGreaterThan(0);
    expect(after.get('read_models') ?? 0).toBe(before.get('read_models') ?? 0);
  });

  it('waits for the replica, not the primary: while it applies nothing a read misses the write, and one with its position answers 503', async () => {
    const token = await owner();
    await replicaAdmin.query('ALTER SUBSCRIPTION console_replica DISABLE');
    try {
      const created = await request('POST', `/v1/orgs/${ORG}/workspaces`, token, { name: 'later' });
      expect(created.status).toBe(201);
      // The projector applied it on the primary; the replica has not.
      await runtime.checkpoints.waitFor('workspaces', created.body.position, 10_000);

      const list = await request('GET', `/v1/orgs/${ORG}/workspaces`, token);
      expect(list.status).toBe(200);
      expect(names(list.body)).toContain('docs');
      expect(names(list.body)).not.toContain('later');
      const waited = await request('GET', `/v1/orgs/${ORG}/workspaces/later?${at(created.body.position)}`, token);
      expect({ status: waited.status, code: waited.body.error.code }).toEqual({ status: 503, code: 'not_yet_consistent' });
    } finally {
      await replicaAdmin.query('ALTER SUBSCRIPTION console_replica ENABLE');
    }
    const latest = await request('POST', `/v1/orgs/${ORG}/workspaces`, token, { name: 'latest' });
    const read = await request('GET', `/v1/orgs/${ORG}/workspaces?${at(latest.body.position)}`, token);
    expect(read.status).toBe(200);
    expect(names(read.body)).toEqual(expect.arrayContaining(['docs', 'later', 'latest']));
  });

  it('keeps its caches as the replica has the rows: a rename it has not applied is not seen; given its position, it is', async () => {
    const token = await owner();
    await request('GET', `/v1/orgs/${ORG}/workspaces/docs`, token);
    const hits = await cacheLookups('workspace_by_name', 'hit');
    expect((await request('GET', `/v1/orgs/${ORG}/workspaces/docs`, token)).status).toBe(200);
    // Followed by polling the replica's checkpoints, the caches are in use, not bypassed.
    expect(await cacheLookups('workspace_by_name', 'hit')).toBe(hits + 1);

    await replicaAdmin.query('ALTER SUBSCRIPTION console_replica DISABLE');
    let renamed: { status: number; body: { position: string } };
    try {
      renamed = await request('PATCH', `/v1/orgs/${ORG}/workspaces/docs`, token, { name: 'handbook' });
      expect(renamed.status).toBe(200);
      await runtime.checkpoints.waitFor('workspaces', renamed.body.position, 10_000); // applied on the primary
      expect((await request('GET', `/v1/orgs/${ORG}/workspaces/docs`, token)).status).toBe(200);
      expect((await request('GET', `/v1/orgs/${ORG}/workspaces/handbook`, token)).status).toBe(404);
    } finally {
      await replicaAdmin.query('ALTER SUBSCRIPTION console_replica ENABLE');
    }
    const now = await request('GET', `/v1/orgs/${ORG}/workspaces/handbook?${at(renamed.body.position)}`, token);
    expect({ status: now.status, name: now.body.name }).toEqual({ status: 200, name: 'handbook' });
    expect((await request('GET', `/v1/orgs/${ORG}/workspaces/docs`, token)).status).toBe(404);
    position = renamed.body.position;
  });

  it('refuses another organization’s caller as before, with or without a position, before any wait', async () => {
    const token = await outsider();
    for (const path of [
      `/v1/orgs/${ORG}/workspaces/docs?${at(position)}`,
      `/v1/orgs/${ORG}/workspaces/docs`,
      `/v1/orgs/${ORG}?${at(position)}`,
    ]) {
      const response = await request('GET', path, token);
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({ path, status: 403, code: 'forbidden' });
    }
  });

  it('sends no write to the replica: its user cannot write', async () => {
    await expect(runtime.readDataSource.query(`DELETE FROM projection_checkpoints`)).rejects.toThrow(/read-only transaction/);
  });
});
