import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { workspaceDirectoryStreamId, type RecordedEvent, type WorkspaceEvent } from '#domain';
import { comparePositions, formatPosition, type Position } from '#event-store';
import type { TestDatabase } from '#testing';
import { EventLog, applyCheckpointedBatch, createReadModelDatabase } from '#testing/projection';
import { workspacesProjection } from '../workspaces/workspaces.projection.js';
import { WorkspaceQueries } from '../workspaces/workspaces.queries.js';
import type { WorkspaceView } from '../workspaces/workspaces.view.js';
import { CheckpointWaiter } from './checkpoint-waiter.js';
import { inTransaction } from './in-transaction.js';
import { CHECKPOINT_CHANNEL, createGeneration, switchGeneration } from './projection-catalog.js';
import { ProjectionCaches, type CacheOutcome, type ProjectionCache } from './projection-cache.js';
import { sqlOnPool, type Sql } from './sql.js';

const LISTENER = 'projection-cache-spec';
const ORG = 'org-1';

const created = (workspaceId: string, name: string): WorkspaceEvent => ({
  type: 'WorkspaceCreated',
  data: { organizationId: ORG, workspaceId, name, slug: name.toLowerCase(), isDefault: false, createdAt: '2026-01-01T00:00:00.000Z' },
});
const renamed = (workspaceId: string, previousName: string, name: string): WorkspaceEvent => ({
  type: 'WorkspaceRenamed',
  data: { organizationId: ORG, workspaceId, name, previousName, renamedAt: '2026-01-02T00:00:00.000Z' },
});

/**
 * The caches against a real `workspaces` projection: batches written as the runner writes them
 * (rows and checkpoint in one transaction, then its NOTIFY), and every statement the caches and the
 * lookups issue counted on their way to PostgreSQL.
 */
describe('ProjectionCaches', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let admin: pg.Client;
  let waiter: CheckpointWaiter;
  let caches: ProjectionCaches;
  let cache: ProjectionCache<WorkspaceView | null>;
  const log = new EventLog();
  const statements: string[] = [];
  const outcomes: CacheOutcome[] = [];
  let queries: WorkspaceQueries;

  /** Every statement counted, named by what issued it. */
  const counted =
    (name: string, sql: Sql): Sql =>
    (text, params) => {
      statements.push(name);
      return sql(text, params);
    };

  /** Applies `events` to generation `generation` as one batch (or, with none, only moves its checkpoint to `checkpoint`). */
  async function commit(events: readonly RecordedEvent[], options: { notify?: boolean; checkpoint?: Position; generation?: number } = {}) {
    const checkpoint = options.checkpoint ?? events.at(-1)!.position;
    await inTransaction(pool, async (client) => {
      await applyCheckpointedBatch(client, workspacesProjection, options.generation ?? 1, events, checkpoint);
    });
    // The runner notifies in the batch's transaction: delivered at its commit, as this one is.
    if (options.notify !== false) await admin.query('SELECT pg_notify($1, $2)', [CHECKPOINT_CHANNEL, workspacesProjection.name]);
    return checkpoint;
  }

  /**
   * Resolves at the next wake-up the caches got: a subscriber registered after theirs is called
   * after them, in the same turn.
   */
  async function nextWakeUp(): Promise<void> {
    let unsubscribe: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      void waiter.onAdvance(workspacesProjection.name, resolve).then((stop) => (unsubscribe = stop));
    });
    unsubscribe();
  }

  /** The statements and outcomes of `work`'s lookups. */
  async function observe<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[]; outcomes: CacheOutcome[] }> {
    statements.length = 0;
    outcomes.length = 0;
    const result = await work();
    return { result, statements: [...statements], outcomes: [...outcomes] };
  }

  const lookup = (name: string, target = cache) => target.get(JSON.stringify([ORG, name]), () => queries.findByName(ORG, name));

  beforeAll(async () => {
    ({ database, pool } = await createReadModelDatabase([workspacesProjection]));
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const url = new URL(database.url);
    url.searchParams.set('application_name', LISTENER);
    waiter = new CheckpointWaiter(pool, url.toString(), comparePositions);
    queries = new WorkspaceQueries(counted('lookup', sqlOnPool(pool)));
    caches = new ProjectionCaches({
      waiter,
      sql: counted('check', sqlOnPool(pool)),
      compare: comparePositions,
      onLookup: (_cache, outcome) => outcomes.push(outcome),
    });
    cache = caches.cache('workspace_by_name', workspacesProjection.name, 100);
    await commit(log.append(workspaceDirectoryStreamId(ORG), created('ws-1', 'Docs'), created('ws-2', 'Blog')));
    // Subscribed in the background: the first lookups read through until it is.
    await waiter.onAdvance(workspacesProjection.name, () => undefined);
    await lookup('Docs');
  });

  afterAll(async () => {
    caches?.close();
    await waiter?.close();
    await admin?.end();
    await pool?.end();
    await database?.drop();
  });

  it('answers a repeated lookup from the cache, with no statement', async () => {
    await lookup('Docs');
    const second = await observe(() => lookup('Docs'));
    expect(second.result).toMatchObject({ id: 'ws-1', name: 'Docs' });
    expect(second.statements).toEqual([]);
    expect(second.outcomes).toEqual(['hit']);
  });

  it('keeps its entries when the checkpoint moves past events the projection does not handle (one check, no lookup)', async () => {
    await lookup('Docs');
    // Past the last event, before the next one the log will append.
    const moved = commit([], { checkpoint: formatPosition({ major: BigInt(log.events.length), minor: 5n }) });
    await Promise.all([moved, nextWakeUp()]);
    const after = await observe(() => lookup('Docs'));
    expect(after.result).toMatchObject({ id: 'ws-1' });
    expect(after.statements).toEqual(['check']);
    expect(after.outcomes).toEqual(['hit']);
  });

  it('drops its entries once the projection applied a change: a renamed workspace is no longer found by its old name', async () => {
    expect(await lookup('Blog')).toMatchObject({ id: 'ws-2' });
    expect(await lookup('Journal')).toBeNull(); // a miss is cached too
    await Promise.all([commit(log.append(workspaceDirectoryStreamId(ORG), renamed('ws-2', 'Blog', 'Journal'))), nextWakeUp()]);

    const old = await observe(() => lookup('Blog'));
    expect(old.result).toBeNull();
    expect(old.statements).toEqual(['check', 'lookup']);
    expect(await lookup('Journal')).toMatchObject({ id: 'ws-2', name: 'Journal' });
    expect((await observe(() => lookup('Journal'))).statements).toEqual([]);
  });

  it('after caughtUp(p), never answers from an entry read before p, even before the notification arrives', async () => {
    expect(await lookup('Journal')).toMatchObject({ id: 'ws-2' });
    // Applied, but its notification has not reached the process yet.
    const position = await commit(log.append(workspaceDirectoryStreamId(ORG), renamed('ws-2', 'Journal', 'Diary')), { notify: false });
    expect((await observe(() => lookup('Journal'))).outcomes).toEqual(['hit']); // what a request without minPosition may see

    caches.caughtUp(workspacesProjection.name, position);
    const after = await observe(() => lookup('Journal'));
    expect(after.result).toBeNull();
    expect(after.statements).toEqual(['lookup']);
    expect(await lookup('Diary')).toMatchObject({ id: 'ws-2' });

    // The entries now reflect that position: waiting for it (or an earlier one) again drops nothing.
    caches.caughtUp(workspacesProjection.name, position);
    caches.caughtUp(workspacesProjection.name, log.events[0]!.position);
    expect((await observe(() => lookup('Diary'))).statements).toEqual([]);
  });

  it('answers a read that a change overtook, but does not keep it', async () => {
    let release: () => void = () => undefined;
    let readDone: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const read = new Promise<void>((resolve) => (readDone = resolve));
    // Read before the change, answered after its notification.
    const slow = cache.get(JSON.stringify([ORG, 'Notes']), async () => {
      const found = await queries.findByName(ORG, 'Notes');
      readDone();
      await released;
      return found;
    });
    await read;
    await Promise.all([commit(log.append(workspaceDirectoryStreamId(ORG), created('ws-3', 'Notes'))), nextWakeUp()]);
    // Another lookup checks the checkpoint meanwhile: the caches are clean again when the slow read ends.
    await lookup('Docs');
    release();
    expect(await slow).toBeNull();

    const next = await observe(() => lookup('Notes'));
    expect(next.result).toMatchObject({ id: 'ws-3' });
    expect(next.statements).toEqual(['lookup']);
  });

  it('drops its entries when the projection switches generation (a replay)', async () => {
    expect(await lookup('Notes')).toMatchObject({ id: 'ws-3' });
    // Generation 2 replays the log with one more rename than generation 1 has seen.
    log.append(workspaceDirectoryStreamId(ORG), renamed('ws-3', 'Notes', 'Wiki'));
    await inTransaction(pool, (client) => createGeneration(client, workspacesProjection, 2));
    await commit(log.events, { generation: 2, notify: false });
    await Promise.all([inTransaction(pool, (client) => switchGeneration(client, workspacesProjection, 2)), nextWakeUp()]);

    const after = await observe(() => lookup('Notes'));
    expect(after.result).toBeNull();
    expect(after.statements).toEqual(['check', 'lookup']);
  });

  it('answers several keys with one load of the missing ones, in the order asked, and keeps them', async () => {
    const many = caches.cache<WorkspaceView | null>('many', workspacesProjection.name, 10);
    const loads: string[][] = [];
    const lookupMany = (names: string[]) =>
      many.getMany(
        names.map((name) => JSON.stringify([ORG, name])),
        async (missing) => {
          loads.push(missing.map((key) => (JSON.parse(key) as string[])[1]!));
          return Promise.all(missing.map((key) => queries.findByName(ORG, (JSON.parse(key) as string[])[1]!)));
        },
      );
    await lookupMany(['Docs']);
    const first = await observe(() => lookupMany(['Wiki', 'Docs', 'Nothing', 'Wiki']));
    expect(first.result.map((w) => w?.id ?? null)).toEqual(['ws-3', 'ws-1', null, 'ws-3']);
    expect(loads.at(-1)).toEqual(['Wiki', 'Nothing']);
    expect(first.outcomes).toEqual(['hit', 'miss', 'miss']);
    const second = await observe(() => lookupMany(['Nothing', 'Docs', 'Wiki']));
    expect(second.result.map((w) => w?.id ?? null)).toEqual([null, 'ws-1', 'ws-3']);
    expect(second.statements).toEqual([]);
    expect(second.outcomes).toEqual(['hit', 'hit', 'hit']);
  });

  it('holds at most its byte bound, and never keeps a value larger than it', async () => {
    const sized = caches.cache<WorkspaceView | null>('sized', workspacesProjection.name, 100, {
      max: 25,
      sizeOf: (workspace) => (workspace ? workspace.name.length * 5 : 1),
    });
    await lookup('Docs', sized); // 20
    await lookup('Wiki', sized); // 20: over 25 with Docs, which is dropped
    expect({ size: sized.size, bytes: sized.calculatedSize }).toEqual({ size: 1, bytes: 20 });
    expect((await observe(() => lookup('Wiki', sized))).statements).toEqual([]);
    expect((await observe(() => lookup('Docs', sized))).statements).toEqual(['lookup']);
    const big = caches.cache<WorkspaceView | null>('big', workspacesProjection.name, 100, { max: 10, sizeOf: () => 11 });
    await lookup('Docs', big);
    expect(big.size).toBe(0);
    expect((await observe(() => lookup('Docs', big))).statements).toEqual(['lookup']);
  });

  it('holds at most its bound, the least recently used dropped first', async () => {
    const small = caches.cache<WorkspaceView | null>('small', workspacesProjection.name, 2);
    for (const name of ['Docs', 'Diary', 'Wiki', 'Docs']) await lookup(name, small);
    expect(small.size).toBe(2);
    expect((await observe(() => lookup('Wiki', small))).statements).toEqual([]);
    expect((await observe(() => lookup('Diary', small))).statements).toEqual(['lookup']);
  });

  it('drops every entry when its listening connection is lost, and reads through while it is down', async () => {
    await lookup('Docs');
    expect((await observe(() => lookup('Docs'))).statements).toEqual([]);
    const lost = nextWakeUp();
    const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
      LISTENER,
    ]);
    expect(rowCount).toBe(1);
    await lost;
    // What happened while nobody listened cannot be known: nothing read before the loss answers.
    expect(cache.size).toBe(0);
    expect((await observe(() => lookup('Docs'))).statements).toContain('lookup');

    // Listening again (it reconnects by itself): cached again.
    await until(() => waiter.listening, 'the waiter listens again');
    await lookup('Docs');
    expect((await observe(() => lookup('Docs'))).statements).toEqual([]);

    // Not listening at all: every lookup reads, none is kept.
    await waiter.close();
    const closed = await observe(async () => [await lookup('Docs'), await lookup('Docs')]);
    expect(closed.statements).toEqual(['lookup', 'lookup']);
    expect(closed.outcomes).toEqual(['bypass', 'bypass']);
  });
});

/** Polls `condition` until it holds; fails after 10 s naming `what`. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
