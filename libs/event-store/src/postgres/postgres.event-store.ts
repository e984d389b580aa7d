import pg from 'pg';
import type { EventMetadata, RecordedEvent } from '#domain';
import {
  START,
  WrongExpectedRevisionError,
  EventIdInUseError,
  EventStoreUnavailableError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadBackwardOptions,
  type StreamHead,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port.js';
import { comparePositions, formatPosition, parsePosition } from '../position.js';
import { upcast, type Upcasters } from '../upcasters.js';
import { isConnectionError } from '../connection-errors.js';
import { EVENT_STORE_SCHEMA_SQL } from './postgres.schema.js';
import { PostgresNotifier } from './postgres.notifier.js';
import { PostgresSubscription } from './postgres.subscription.js';
import { GroupCommit, type AppendOutcome, type AppendRequest, type GroupCommitOptions } from './postgres.group-commit.js';

export interface PostgresEventStoreOptions {
  readonly connectionString?: string;
  readonly pool?: pg.Pool;
  readonly upcasters?: Upcasters;
  /** Fallback poll while idle, in case a wake-up was missed (e.g. a dropped LISTEN connection). */
  readonly idlePollMs?: number;
  /** Concurrent appends share a transaction (see GroupCommit); on unless `false`. */
  readonly groupCommit?: false | GroupCommitOptions;
}

interface AppendRow {
  status: string;
  revision: string | null;
  position_xid: string | null;
  position_seq: string | null;
}

interface EventRow {
  transaction_id: string;
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_revision: string;
  type: string;
  data: object;
  metadata: EventMetadata;
  recorded_at: Date;
}

const EVENT_COLUMNS =
  'transaction_id::text AS transaction_id, global_position, event_id, stream_id, stream_revision, type, data, metadata, recorded_at';

export class PostgresEventStore implements EventStore {
  readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly notifier: PostgresNotifier;
  private readonly groupCommit: GroupCommit | null;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.ownsPool = !options.pool;
    this.pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: 10 });
    // An idle client whose server went away is discarded by the pool; without a listener the
    // 'error' it emits would crash the process. Queries in flight reject and are retried by callers.
    if (this.ownsPool) this.pool.on('error', () => undefined);
    this.notifier = new PostgresNotifier(this.pool, options.connectionString, options.pool ? poolClientConfig(options.pool) : undefined);
    this.groupCommit =
      options.groupCommit === false
        ? null
        : new GroupCommit(
            (request) => this.appendOne(request),
            (requests) => this.appendBatch(requests),
            options.groupCommit,
          );
  }

  async ensureSchema(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // Concurrent first starts (api and projector) must not race on CREATE ... IF NOT EXISTS.
      await client.query('SELECT pg_advisory_lock(hashtext($1))', ['es_schema']);
      await client.query(EVENT_STORE_SCHEMA_SQL);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['es_schema']).catch(() => undefined);
      client.release();
    }
  }

  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) return Promise.reject(new RangeError('append needs at least one event'));
    const request = { streamId, events, expected };
    return this.groupCommit ? this.groupCommit.append(request) : this.appendOne(request);
  }

  private async appendOne({ streamId, events, expected }: AppendRequest): Promise<AppendResult> {
    const { rows } = await this.appendQuery<AppendRow>(
      streamId,
      `SELECT status, revision, position_xid::text AS position_xid, position_seq FROM es_append($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])`,
      [
        streamId,
        appendMode(expected),
        typeof expected === 'bigint' ? expected.toString() : null,
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata ?? {})),
      ],
    );
    const outcome = appendOutcome(streamId, expected, rows[0]!);
    if ('error' in outcome) throw outcome.error;
    if (!outcome.result.duplicate) this.notifier.notify();
    return outcome.result;
  }

  /**
   * Several appends in one transaction, each with its own outcome. A lost connection fails them all
   * (whether the batch committed is unknown; each caller retries with its command id). Any other
   * failure of the statement (an event id that a concurrent transaction in another stream is
   * inserting, the function missing on a schema not yet migrated) is one append's doing or nobody's:
   * each append is then written alone, in order, and gets its own answer.
   */
  private async appendBatch(requests: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    // Stream rows are locked in stream id order in every batch, so two batches cannot deadlock; the
    // sort is stable, so appends to one stream keep their order.
    const order = requests.map((_, index) => index).sort((a, b) => compareText(requests[a]!.streamId, requests[b]!.streamId));
    let rows: AppendRow[];
    try {
      ({ rows } = await this.pool.query<AppendRow>(
        `SELECT status, revision, position_xid::text AS position_xid, position_seq
           FROM es_append_batch($1::text[], $2::text[], $3::bigint[], $4::int[], $5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[])
          ORDER BY ord`,
        batchParameters(order.map((index) => requests[index]!)),
      ));
    } catch (error) {
      if (isConnectionError(error)) throw new EventStoreUnavailableError('PostgreSQL event store unavailable', { cause: error });
      const outcomes: AppendOutcome[] = [];
      for (const request of requests)
        outcomes.push(
          await this.appendOne(request).then(
            (result) => ({ result }),
            (failure: unknown) => ({ error: failure }),
          ),
        );
      return outcomes;
    }
    const outcomes: AppendOutcome[] = new Array<AppendOutcome>(requests.length);
    order.forEach((index, row) => {
      const request = requests[index]!;
      outcomes[index] = appendOutcome(request.streamId, request.expected, rows[row]!);
    });
    if (outcomes.some((outcome) => 'result' in outcome && !outcome.result.duplicate)) this.notifier.notify();
    return outcomes;
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    const { rows } = await this.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = $1 ORDER BY stream_revision`, [
      streamId,
    ]);
    return rows.map((row) => this.toRecordedEvent(row));
  }

  async readBackward({ before, eventTypes, limit }: ReadBackwardOptions): Promise<RecordedEvent[]> {
    if (before === START) return []; // nothing lies before the start
    const pair = before === undefined ? null : parsePosition(before);
    // Walks the primary key backwards: a filter on a rare type reads far (there is no index on type).
    const { rows } = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events
        WHERE ($1::xid8 IS NULL OR (transaction_id, global_position) < ($1::xid8, $2::bigint))
          AND ($3::text[] IS NULL OR type = ANY($3::text[]))
        ORDER BY transaction_id DESC, global_position DESC LIMIT $4`,
      [pair?.major.toString() ?? null, pair?.minor.toString() ?? null, eventTypes ? [...eventTypes] : null, limit],
    );
    return rows.map((row) => this.toRecordedEvent(row));
  }

  async readStreamPage(streamId: string, { afterRevision, limit }: { afterRevision?: bigint; limit: number }): Promise<RecordedEvent[]> {
    const { rows } = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = $1 AND stream_revision > $2 ORDER BY stream_revision LIMIT $3`,
      [streamId, (afterRevision ?? -1n).toString(), limit],
    );
    return rows.map((row) => this.toRecordedEvent(row));
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    // The (stream_id, stream_revision) unique index answers this from its last entry.
    const { rows } = await this.query<{ stream_revision: string; xid: string; global_position: string }>(
      `SELECT stream_revision, transaction_id::text AS xid, global_position FROM es_events WHERE stream_id = $1 ORDER BY stream_revision DESC LIMIT 1`,
      [streamId],
    );
    const row = rows[0];
    return row
      ? { revision: BigInt(row.stream_revision), position: formatPosition({ major: BigInt(row.xid), minor: BigInt(row.global_position) }) }
      : null;
  }

  subscribe(options: SubscribeOptions): Subscription {
    return new PostgresSubscription({
      pool: this.pool,
      notifier: this.notifier,
      after: options.after,
      eventTypes: options.eventTypes,
      maxBatchSize: options.maxBatchSize ?? 500,
      idlePollMs: this.options.idlePollMs ?? 250,
      toRecordedEvent: (row) => this.toRecordedEvent(row as EventRow),
    });
  }

  async headPosition(): Promise<Position> {
    const { rows } = await this.query<{ xid: string; global_position: string }>(
      // Order by the xid8 column, not the text alias of the same name: "9999" sorts after "10063" as text.
      // Every committed event, not only those below the snapshot's xmin: a caller waits for this
      // position to include its own writes, and an open transaction elsewhere (a projector's batch in
      // the same database) must not hide them. Subscribers still only pass it once it is gap-safe.
      `SELECT e.transaction_id::text AS xid, e.global_position FROM es_events e
        ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? formatPosition({ major: BigInt(row.xid), minor: BigInt(row.global_position) }) : START;
  }

  comparePositions(a: Position, b: Position): number {
    return comparePositions(a, b);
  }

  async backlog(
    after: Position,
    eventTypes: readonly string[],
    limit: number,
  ): Promise<{ events: number; oldestRecordedAt: string | null }> {
    const pair = parsePosition(after) ?? { major: 0n, minor: 0n };
    const { rows } = await this.query<{ events: string; oldest: Date | null }>(
      `SELECT count(*) AS events, min(recorded_at) AS oldest FROM (
         SELECT recorded_at FROM es_events
          WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND type = ANY($3::text[])
          ORDER BY transaction_id, global_position LIMIT $4) backlog`,
      [pair.major.toString(), pair.minor.toString(), [...eventTypes], limit],
    );
    return { events: Number(rows[0]!.events), oldestRecordedAt: rows[0]!.oldest?.toISOString() ?? null };
  }

  async close(): Promise<void> {
    await this.notifier.close();
    if (this.ownsPool) await this.pool.end();
  }

  /** es_append answers a retry in the same stream as a duplicate; the same id in another stream violates UNIQUE (event_id). */
  private async appendQuery<R extends pg.QueryResultRow>(streamId: string, sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.query<R>(sql, params);
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === 'es_events_event_id_key') throw new EventIdInUseError(streamId);
      throw error;
    }
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      if (isConnectionError(error)) throw new EventStoreUnavailableError('PostgreSQL event store unavailable', { cause: error });
      throw error;
    }
  }

  private toRecordedEvent(row: EventRow): RecordedEvent {
    return upcast(this.options.upcasters, {
      id: row.event_id,
      type: row.type,
      data: row.data,
      metadata: row.metadata,
      streamId: row.stream_id,
      revision: BigInt(row.stream_revision),
      position: formatPosition({ major: BigInt(row.transaction_id), minor: BigInt(row.global_position) }),
      recordedAt: row.recorded_at.toISOString(),
    });
  }
}

/** es_append_batch's arguments: one entry per append, its events flattened after each other. */
function batchParameters(requests: readonly AppendRequest[]): unknown[] {
  const events = requests.flatMap((request) => request.events);
  return [
    requests.map((request) => request.streamId),
    requests.map((request) => appendMode(request.expected)),
    requests.map((request) => (typeof request.expected === 'bigint' ? request.expected.toString() : null)),
    requests.map((request) => request.events.length),
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => JSON.stringify(e.metadata ?? {})),
  ];
}

function appendMode(expected: ExpectedRevision): string {
  return expected === 'no-stream' || expected === 'any' ? expected : 'exact';
}

/** es_append's and es_append_batch's row as the append's answer, or the error only that append gets. */
function appendOutcome(streamId: string, expected: ExpectedRevision, row: AppendRow): AppendOutcome {
  switch (row.status) {
    case 'conflict':
      return { error: new WrongExpectedRevisionError(streamId, expected, row.revision === null ? 'no-stream' : BigInt(row.revision)) };
    case 'id_in_use':
      return { error: new EventIdInUseError(streamId) };
    default:
      return {
        result: {
          duplicate: row.status === 'duplicate',
          nextExpectedRevision: BigInt(row.revision!),
          position: formatPosition({ major: BigInt(row.position_xid!), minor: BigInt(row.position_seq!) }),
        },
      };
  }
}

/** Code-unit order, the same in every process (a locale's collation need not be). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function poolClientConfig(pool: pg.Pool): pg.ClientConfig {
  return (pool as { options: pg.ClientConfig }).options;
}
