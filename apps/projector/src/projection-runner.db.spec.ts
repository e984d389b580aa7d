import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { pino } from 'pino';
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '#domain';
import { PostgresEventStore, START, type Position } from '#event-store';
import {
  activeCheckpoints,
  createReadModelDataSource,
  ensureProjection,
  migrateReadModels,
  readCheckpoint,
  type ProjectionDefinition,
  type RowChange,
} from '#read-models';
import { projectorDeadLettersTotal, type Logger } from '#adapters';
import { PoisonEventError, ProjectionRunner, lockName, type ProjectionRunnerOptions } from './projection-runner.js';
import { createTestDatabase, type TestDatabase } from '#testing';

/*
 * Each test has its own projection (own tables, own event type), so the runs of one test never see
 * the events or rows of another although they share the database and the store.
 *
 * A tick projection counts events per stream with `increment` (an event applied twice shows as a
 * count one too high) and keeps one row per event with its amount in a bigint column (an event
 * lost shows as a missing row). Poison comes in two kinds: `apply` throws, or the amount is a
 * string the bigint column refuses, which only the database notices.
 */
type Poison = 'throws' | 'bad-bigint';
interface TickData {
  readonly n: number;
  readonly poison?: Poison;
}

function tickProjection(name: string): ProjectionDefinition & { readonly eventType: string } {
  const eventType = `${name}.Ticked`;
  const counts = `${name}_counts`;
  const amounts = `${name}_amounts`;
  return {
    name,
    eventType,
    eventTypes: [eventType],
    tables: [
      {
        name: counts,
        columns: { stream_id: { type: 'text' }, events: { type: 'bigint', default: '0' }, last_n: { type: 'bigint', default: '0' } },
        primaryKey: ['stream_id'],
      },
      {
        name: amounts,
        columns: { event_id: { type: 'text' }, stream_id: { type: 'text' }, amount: { type: 'bigint' } },
        primaryKey: ['event_id'],
      },
    ],
    apply(event: RecordedEvent): RowChange[] {
      const data = event.data as TickData;
      if (data.poison === 'throws') throw new Error(`tick ${event.streamId}#${data.n} cannot be applied`);
      return [
        { kind: 'increment', table: counts, key: { stream_id: event.streamId }, add: { events: 1 }, max: { last_n: data.n } },
        {
          kind: 'upsert',
          table: amounts,
          row: { event_id: event.id, stream_id: event.streamId, amount: data.poison === 'bad-bigint' ? 'not-a-number' : data.n },
        },
      ];
    },
  };
}

/** Warnings and errors of the runners: a test that times out can say why, and a test can await one. */
type LogLine = { msg: string; err?: { message?: string } };
const logLines: LogLine[] = [];
const logWaiters = new Set<{ matches: (line: LogLine) => boolean; resolve: () => void }>();
const logger: Logger = pino(
  { level: 'warn' },
  {
    write: (text: string) => {
      const line = JSON.parse(text) as LogLine;
      logLines.push(line);
      for (const waiter of logWaiters) {
        if (!waiter.matches(line)) continue;
        logWaiters.delete(waiter);
        waiter.resolve();
      }
    },
  },
);
const nextLog = (matches: (line: LogLine) => boolean) => new Promise<void>((resolve) => logWaiters.add({ matches, resolve }));
const lastWarning = () => {
  const line = logLines.at(-1);
  return line ? `${line.msg}: ${line.err?.message ?? ''}` : 'no warning logged';
};

let database: TestDatabase;
let admin: pg.Pool;
let writer: PostgresEventStore;
const toClose: Array<() => Promise<void>> = [];
const running: ProjectionRunner[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  writer = new PostgresEventStore({ connectionString: database.url });
  await writer.ensureSchema();
  const dataSource = createReadModelDataSource(database.url, { poolSize: 2 });
  await dataSource.initialize();
  await migrateReadModels(dataSource);
  await dataSource.destroy();
  admin = new pg.Pool({ connectionString: database.url, max: 3, application_name: 'spec-admin' });
  // pg-pool's end() resolves before its clients' sockets have closed; the test database's DROP … WITH (FORCE)
  // can then terminate one, and the pool re-emits that as an 'error' nobody would handle.
  admin.on('error', () => undefined);
});

afterEach(async () => {
  for (const runner of running.splice(0)) await runner.stop();
});

afterAll(async () => {
  for (const close of toClose.reverse()) await close();
  await admin?.end();
  await writer?.close();
  await database?.drop();
});

/**
 * A pool named in pg_stat_activity, so a test can find (and terminate) exactly its connections.
 * Owning a pool means handling its idle clients' errors: a terminated idle connection is reported
 * on the pool, and an unhandled 'error' event would end the test process.
 */
function namedPool(applicationName: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: database.url, max, application_name: applicationName });
  pool.on('error', () => undefined);
  toClose.push(() => pool.end());
  return pool;
}

/** A store with its own named pool, as a projector process would have. */
function storeOn(pool: pg.Pool): PostgresEventStore {
  const store = new PostgresEventStore({ pool });
  toClose.push(() => store.close());
  return store;
}

async function createProjection(definition: ProjectionDefinition): Promise<void> {
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    await ensureProjection(client, definition);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function tick(definition: { eventType: string }, streamId: string, data: TickData): Promise<RecordedEvent> {
  const id = randomUUID();
  const { position } = await writer.append(streamId, [{ id, type: definition.eventType, data }], 'any');
  return { id, type: definition.eventType, data, streamId, position } as unknown as RecordedEvent;
}

/** Resolves waiters on every batch a runner commits: tests wait on real progress, never on time. */
class Progress {
  position: Position = START;
  applied = 0;
  readonly batches: Array<{ applied: number; position: Position }> = [];
  private waiters: Array<() => void> = [];

  readonly onBatch = (progress: { applied: number; position: Position }) => {
    this.position = progress.position;
    this.applied += progress.applied;
    this.batches.push({ applied: progress.applied, position: progress.position });
    for (const wake of this.waiters.splice(0)) wake();
  };

  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async reached(store: PostgresEventStore, position: Position, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (store.comparePositions(this.position, position) < 0) {
      await within(
        this.next(),
        deadline - Date.now(),
        () => `runner stuck at ${this.position}, waiting for ${position} (${lastWarning()})`,
      );
    }
  }
}

/** Bounds a wait on a real event; the timer only decides when to give up, never what happens. */
async function within<T>(promise: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Timed out: ${why()}`)), Math.max(ms, 0)))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `stopWhenCaughtUp` runs until the checkpoint reaches `target`, or one rejects. One run
 * normally does it; a run can report caught up early because the store's visible head stops below
 * any transaction still open on the server (its gap-safety horizon), e.g. one of a parallel test file.
 */
async function runUntil(
  options: Partial<ProjectionRunnerOptions> & Pick<ProjectionRunnerOptions, 'definition' | 'store' | 'pool'>,
  target: Position,
  timeoutMs = 10_000,
): Promise<{ progress: Progress; error: unknown }> {
  const progress = new Progress();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runner = startRunner({ ...options, stopWhenCaughtUp: true, onBatch: progress.onBatch });
    const error = await within(
      runner.done.then(
        () => null,
        (failure: unknown) => failure,
      ),
      deadline - Date.now(),
      () =>
        `${options.mode ?? 'live'} run of ${options.definition.name} stuck at ${progress.position}, short of ${target} (${lastWarning()})`,
    );
    if (error !== null) {
      expect(runner.state).toBe('stopped');
      return { progress, error };
    }
    if (options.store.comparePositions(progress.position, target) >= 0) return { progress, error: null };
  }
}

function startRunner(
  options: Partial<ProjectionRunnerOptions> & Pick<ProjectionRunnerOptions, 'definition' | 'store' | 'pool'>,
): ProjectionRunner {
  const runner = new ProjectionRunner({ logger, mode: 'live', ...options });
  running.push(runner);
  return runner.start();
}

const countsOf = async (definition: ProjectionDefinition, generation = 1) =>
  Object.fromEntries(
    (
      await admin.query<{ stream_id: string; events: string; last_n: string }>(
        `SELECT * FROM "${definition.name}_counts_g${generation}" ORDER BY stream_id`,
      )
    ).rows.map((r) => [r.stream_id, { events: Number(r.events), lastN: Number(r.last_n) }]),
  );
const amountsOf = async (definition: ProjectionDefinition, generation = 1) =>
  (
    await admin.query<{ event_id: string; amount: string }>(
      `SELECT event_id, amount FROM "${definition.name}_amounts_g${generation}" ORDER BY event_id`,
    )
  ).rows;
const deadLettersOf = async (definition: ProjectionDefinition) =>
  (
    await admin.query(
      `SELECT event_id, event_type, stream_id, position, error, event FROM projection_dead_letters WHERE name = $1 ORDER BY position`,
      [definition.name],
    )
  ).rows;
const deadLetterMetric = async (definition: ProjectionDefinition) =>
  (await projectorDeadLettersTotal.get()).values.find((v) => v.labels.projection === definition.name)?.value ?? 0;

describe('ProjectionRunner', () => {
  describe('when live and an event is poison', () => {
    async function runOnce(definition: ProjectionDefinition, target: Position, timeoutMs?: number): Promise<Progress> {
      const pool = namedPool(`${definition.name}-runner`);
      const { progress, error } = await runUntil({ definition, store: storeOn(pool), pool }, target, timeoutMs);
      expect(error).toBeNull();
      return progress;
    }

    it.each<[string, Poison, RegExp]>([
      ['apply throws', 'throws', /tick s1#2 cannot be applied/],
      ['the database refuses its value', 'bad-bigint', /invalid input syntax for type bigint/],
    ])('dead-letters it when %s, applies the rest of its batch and moves the checkpoint past it', async (_, poison, error) => {
      const definition = tickProjection(`live_${poison.replace('-', '_')}`);
      await createProjection(definition);
      await tick(definition, 's1', { n: 1 });
      const bad = await tick(definition, 's1', { n: 2, poison });
      await tick(definition, 's2', { n: 1 });
      await tick(definition, 's1', { n: 3 });
      const last = await tick(definition, 's2', { n: 2 });
      const metricBefore = await deadLetterMetric(definition);

      const progress = await runOnce(definition, last.position);

      // The poison shared its batch with good events (normally all five are one batch).
      expect(progress.batches.find((b) => writer.comparePositions(b.position, bad.position) >= 0)!.applied).toBeGreaterThan(1);
      expect(await countsOf(definition)).toEqual({ s1: { events: 2, lastN: 3 }, s2: { events: 2, lastN: 2 } });
      expect((await amountsOf(definition)).map((r) => Number(r.amount)).sort()).toEqual([1, 1, 2, 3]);
      const deadLetters = await deadLettersOf(definition);
      expect(deadLetters).toEqual([
        {
          event_id: bad.id,
          event_type: definition.eventTypes[0],
          stream_id: 's1',
          position: bad.position,
          error: expect.stringMatching(error),
          event: expect.objectContaining({ id: bad.id, data: { n: 2, poison }, position: bad.position }),
        },
      ]);

      expect(await readCheckpoint(admin, definition.name, 1)).toMatchObject({ position: progress.position, eventsProcessed: 5 });
      expect((await activeCheckpoints(admin)).find((c) => c.name === definition.name)).toMatchObject({ deadLetters: 1 });
      expect((await deadLetterMetric(definition)) - metricBefore).toBe(1);

      // Moving on means for good: a second run finds nothing to retry and dead-letters nothing twice.
      const again = await runOnce(definition, last.position);
      expect(again.applied).toBe(0);
      expect(await deadLettersOf(definition)).toHaveLength(1);
      expect(await countsOf(definition)).toEqual({ s1: { events: 2, lastN: 3 }, s2: { events: 2, lastN: 2 } });
    });

    it('writes the dead letter in the batch transaction: a batch that fails to commit leaves none behind', async () => {
      const definition = tickProjection('live_atomic');
      await createProjection(definition);
      // Makes the checkpoint update, the last statement of a batch, fail while the test says so.
      await admin.query('CREATE TABLE spec_blocked_checkpoints (name text PRIMARY KEY)');
      await admin.query(`CREATE FUNCTION spec_block_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM spec_blocked_checkpoints WHERE name = NEW.name) THEN RAISE EXCEPTION 'checkpoint blocked by the test'; END IF;
          RETURN NEW;
        END $$`);
      await admin.query(
        'CREATE TRIGGER spec_block_checkpoint BEFORE UPDATE ON projection_checkpoints FOR EACH ROW EXECUTE FUNCTION spec_block_checkpoint()',
      );
      try {
        await admin.query('INSERT INTO spec_blocked_checkpoints VALUES ($1)', [definition.name]);
        await tick(definition, 's1', { n: 1 });
        const bad = await tick(definition, 's1', { n: 2, poison: 'throws' });
        const last = await tick(definition, 's2', { n: 1 });
        const pool = namedPool(`${definition.name}-runner`);
        const store = storeOn(pool);
        const progress = new Progress();
        const deadLettered = nextLog((line) => line.msg === 'poison event sent to dead letters');
        const blocked = nextLog((line) => line.err?.message === 'checkpoint blocked by the test');
        startRunner({ definition, store, pool, backoff: { initialMs: 50, maxMs: 50, factor: 1 }, onBatch: progress.onBatch });

        await within(Promise.all([deadLettered, blocked]), 10_000, () => `the blocked batch never failed (${lastWarning()})`);
        // The transaction had inserted the dead letter and the rows, then failed on its checkpoint: all gone.
        expect(await deadLettersOf(definition)).toEqual([]);
        expect(await countsOf(definition)).toEqual({});
        expect(await readCheckpoint(admin, definition.name, 1)).toMatchObject({ position: START, eventsProcessed: 0 });
        expect(progress.batches).toHaveLength(0);

        await admin.query('DELETE FROM spec_blocked_checkpoints');
        await progress.reached(store, last.position);
        expect((await deadLettersOf(definition)).map((d) => d.event_id)).toEqual([bad.id]);
        expect(await countsOf(definition)).toEqual({ s1: { events: 1, lastN: 1 }, s2: { events: 1, lastN: 1 } });
      } finally {
        await admin.query('DROP TRIGGER spec_block_checkpoint ON projection_checkpoints');
      }
    });

    it('dead-letters both kinds of poison when they share a batch, and applies the rest', async () => {
      const definition = tickProjection('live_both');
      await createProjection(definition);
      await tick(definition, 's1', { n: 1 });
      const throws = await tick(definition, 's1', { n: 2, poison: 'throws' });
      const refused = await tick(definition, 's2', { n: 1, poison: 'bad-bigint' });
      const last = await tick(definition, 's2', { n: 2 });

      // A run that normally takes a tenth of a second; 5 s is generous.
      const progress = await runOnce(definition, last.position, 5000);

      expect((await deadLettersOf(definition)).map((d) => d.event_id)).toEqual([throws.id, refused.id]);
      expect(await countsOf(definition)).toEqual({ s1: { events: 1, lastN: 1 }, s2: { events: 1, lastN: 2 } });
      expect(await readCheckpoint(admin, definition.name, 1)).toMatchObject({ position: progress.position, eventsProcessed: 4 });
    });
  });

  describe('when replaying and an event is poison', () => {
    it.each<[Poison]>([['throws'], ['bad-bigint']])(
      'rejects `done` with PoisonEventError (%s) and keeps the checkpoint before the poison batch',
      async (poison) => {
        const definition = tickProjection(`replay_${poison.replace('-', '_')}`);
        await createProjection(definition);
        const good = [];
        for (let n = 1; n <= 4; n++) good.push(await tick(definition, `s${n % 2}`, { n }));
        const bad = await tick(definition, 's0', { n: 5, poison });
        const last = await tick(definition, 's1', { n: 6 });
        const pool = namedPool(`${definition.name}-runner`);
        // Batches of two: [1, 2] [3, 4] commit, [5 (poison), 6] must not.
        const { progress, error: failure } = await runUntil(
          { definition, store: storeOn(pool), pool, mode: 'replay', maxBatchSize: 2 },
          last.position,
        );

        expect(failure).toBeInstanceOf(PoisonEventError);
        expect((failure as PoisonEventError).event.id).toBe(bad.id);
        expect(progress.applied).toBe(4);
        expect(await readCheckpoint(admin, definition.name, 1)).toMatchObject({ position: good[3]!.position, eventsProcessed: 4 });
        expect(await countsOf(definition)).toEqual({ s0: { events: 2, lastN: 4 }, s1: { events: 2, lastN: 3 } });
        expect(await amountsOf(definition)).toHaveLength(4);
        expect(await deadLettersOf(definition)).toEqual([]);
      },
    );
  });

  describe('with two instances of one projection', () => {
    it('lets one run and keeps the other on standby, which takes over from the checkpoint when the first stops', async () => {
      const definition = tickProjection('single_active');
      await createProjection(definition);
      const expected: Record<string, { events: number; lastN: number }> = {};
      let n = 0;
      const tickMany = async (count: number) => {
        let last: Position = START;
        for (let i = 0; i < count; i++) {
          const stream = `s${n % 3}`;
          last = (await tick(definition, stream, { n: ++n })).position;
          expected[stream] = { events: (expected[stream]?.events ?? 0) + 1, lastN: n };
        }
        return last;
      };
      const lockHolders = async () =>
        (
          await admin.query<{ application_name: string }>(
            `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND l.objid = (hashtext($1)::bigint & 4294967295)::oid`,
            [lockName(definition.name, 1)],
          )
        ).rows.map((r) => r.application_name);

      let head = await tickMany(10);
      const poolA = namedPool('single-active-a');
      const poolB = namedPool('single-active-b');
      const storeA = storeOn(poolA);
      const progressA = new Progress();
      const progressB = new Progress();
      const a = startRunner({ definition, store: storeA, pool: poolA, onBatch: progressA.onBatch });
      await progressA.reached(storeA, head);
      expect(a.state).toBe('running');

      const b = startRunner({ definition, store: storeOn(poolB), pool: poolB, onBatch: progressB.onBatch });
      // A standby announces itself only through `state`, set after its first refused lock attempt; no
      // event marks it, so poll with a short await and a deadline.
      const deadline = Date.now() + 5000;
      while (b.state !== 'standby') {
        if (Date.now() > deadline) throw new Error(`second runner never went on standby (state ${b.state})`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await lockHolders()).toEqual(['single-active-a']);

      head = await tickMany(10);
      await progressA.reached(storeA, head);
      expect(progressB.batches).toHaveLength(0);
      expect(b.state).toBe('standby');

      await a.stop();
      expect(a.state).toBe('stopped');
      await progressB.reached(storeA, head); // B took the lock and caught up: nothing was left to apply
      expect(b.state).toBe('running');
      expect(progressB.applied).toBe(0);
      expect(await lockHolders()).toEqual(['single-active-b']);

      head = await tickMany(10);
      await progressB.reached(storeA, head);
      expect(progressA.applied).toBe(20);
      expect(progressB.applied).toBe(10);
      expect(await countsOf(definition)).toEqual(expected);
      expect(await amountsOf(definition)).toHaveLength(30);
      expect(await readCheckpoint(admin, definition.name, 1)).toMatchObject({ position: progressB.position, eventsProcessed: 30 });
    });
  });

  describe('when the session holding its lock dies while it is idle', () => {
    it('notices at once, contends again, and one runner applies every later event exactly once', async () => {
      const definition = tickProjection('lock_session_lost');
      await createProjection(definition);
      const lock = lockName(definition.name, 1);
      const holders = async () =>
        (
          await admin.query<{ pid: number; application_name: string }>(
            `SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND l.objid = (hashtext($1)::bigint & 4294967295)::oid`,
            [lock],
          )
        ).rows;
      let n = 0;
      const expected: Record<string, { events: number; lastN: number }> = {};
      const tickMany = async (count: number) => {
        let last: Position = START;
        for (let i = 0; i < count; i++) {
          const stream = `s${n % 2}`;
          last = (await tick(definition, stream, { n: ++n })).position;
          expected[stream] = { events: (expected[stream]?.events ?? 0) + 1, lastN: n };
        }
        return last;
      };

      const poolA = namedPool('lock-lost-a');
      const poolB = namedPool('lock-lost-b');
      const storeA = storeOn(poolA);
      const [progressA, progressB] = [new Progress(), new Progress()];
      startRunner({ definition, store: storeA, pool: poolA, onBatch: progressA.onBatch });
      await progressA.reached(storeA, await tickMany(5));
      startRunner({ definition, store: storeOn(poolB), pool: poolB, onBatch: progressB.onBatch });
      const [holder] = await holders();
      expect(holder?.application_name).toBe('lock-lost-a');

      // Only the lock's session dies; A's other connections, and the log, are untouched and idle.
      const lost = nextLog((line) => line.msg.includes('lock session lost'));
      await admin.query('SELECT pg_terminate_backend($1)', [holder!.pid]);
      await within(lost, 10_000, () => `runner A did not notice its lock session die (${lastWarning()})`);
      // A contends at once, B at its next standby attempt: one of them holds the lock again.
      const deadline = Date.now() + 10_000;
      while ((await holders()).length !== 1) {
        if (Date.now() > deadline) throw new Error('nobody took the lock again');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      const head = await tickMany(10);
      const winner = (await holders())[0]!.application_name === 'lock-lost-a' ? progressA : progressB;
      await winner.reached(storeA, head);
      expect(progressA.applied + progressB.applied).toBe(15);
      expect(await countsOf(definition)).toEqual(expected);
      expect(await amountsOf(definition)).toHaveLength(15);
      expect(await holders()).toHaveLength(1);
    });
  });

  describe('when its connections are terminated while events keep arriving', () => {
    it('resubscribes from the checkpoint and ends with every event applied exactly once', async () => {
      const definition = tickProjection('lost_connection');
      await createProjection(definition);
      const pool = namedPool('lost-connection', 6);
      const store = storeOn(pool);
      const progress = new Progress();
      const runner = startRunner({
        definition,
        store,
        pool,
        maxBatchSize: 5, // many small transactions, so a kill can land inside one
        backoff: { initialMs: 20, maxMs: 200, factor: 2 },
        onBatch: progress.onBatch,
      });

      const expected: Record<string, { events: number; lastN: number }> = {};
      let appended = 0;
      let lastAppended: Position = START;
      let killing = true;
      const writing = (async () => {
        // Keeps appending until every kill has happened, and at least 150 events.
        while ((killing || appended < 150) && appended < 5000) {
          const stream = `s${appended % 5}`;
          const n = ++appended;
          lastAppended = (await tick(definition, stream, { n })).position;
          expected[stream] = { events: (expected[stream]?.events ?? 0) + 1, lastN: n };
        }
      })();

      const terminate = async () =>
        (
          await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'lost-connection'`,
          )
        ).rowCount ?? 0;
      let terminated = 0;
      try {
        for (let kill = 0; kill < 4; kill++) {
          // Kill only after the runner has committed another batch: every kill hits a live, recovered runner.
          await within(progress.next(), 10_000, () => `runner made no progress after kill ${kill} (${lastWarning()})`);
          terminated += await terminate();
        }
      } finally {
        killing = false;
        await writing;
      }
      expect(terminated).toBeGreaterThanOrEqual(4);

      await progress.reached(store, lastAppended, 15_000);
      expect(runner.state).toBe('running');
      expect(await countsOf(definition)).toEqual(expected);
      expect(await amountsOf(definition)).toHaveLength(appended);
      expect(await readCheckpoint(admin, definition.name, 1)).toMatchObject({ eventsProcessed: appended });
      expect(logLines.some((line) => line.msg.includes('resubscribing from checkpoint'))).toBe(true);
    });
  });
});
