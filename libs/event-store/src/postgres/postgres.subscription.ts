import type pg from 'pg';
import type { RecordedEvent } from '#domain';
import { START, type Position, type Subscription, type SubscriptionBatch } from '../event-store.port.js';
import { comparePositions, formatPosition, parsePosition } from '../position.js';
import type { PostgresNotifier } from './postgres.notifier.js';

interface Config {
  readonly pool: pg.Pool;
  readonly notifier: PostgresNotifier;
  readonly after: Position;
  readonly eventTypes?: readonly string[];
  readonly maxBatchSize: number;
  readonly idlePollMs: number;
  readonly toRecordedEvent: (row: object) => RecordedEvent;
}

/*
 * One statement, so the batch and the visible head come from the same snapshot. Only rows of
 * transactions below the snapshot's xmin are read: all of those have ended, so nothing can commit
 * later at a position before the returned checkpoint (the gap-safety invariant).
 */
const READ_BATCH_SQL = `
WITH horizon AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
head AS (
  SELECT e.transaction_id, e.global_position FROM es_events e, horizon h
   WHERE e.transaction_id < h.xmin
   ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1
),
batch AS (
  SELECT e.* FROM es_events e, horizon h
   WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
     AND e.transaction_id < h.xmin
     AND ($3::text[] IS NULL OR e.type = ANY($3::text[]))
   ORDER BY e.transaction_id, e.global_position
   LIMIT $4
)
SELECT true AS is_head, transaction_id AS sort_xid, transaction_id::text AS transaction_id, global_position,
       NULL::uuid AS event_id, NULL AS stream_id, NULL::bigint AS stream_revision, NULL AS type,
       NULL::jsonb AS data, NULL::jsonb AS metadata, NULL::timestamptz AS recorded_at
  FROM head
UNION ALL
SELECT false, transaction_id, transaction_id::text, global_position, event_id, stream_id, stream_revision, type, data, metadata, recorded_at
  FROM batch
-- sort_xid is the xid8 itself: the text column of the same name would sort "9999" after "10063".
ORDER BY is_head DESC, sort_xid, global_position`;

export class PostgresSubscription implements Subscription {
  private closed = false;
  private wake: (() => void) | null = null;

  constructor(private readonly config: Config) {}

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionBatch> {
    let position = this.config.after;
    let pendingWake = true;
    const stopListening = await this.config.notifier.listen(() => {
      pendingWake = true;
      this.wake?.();
    });
    let announcedCaughtUp = false;
    try {
      while (!this.closed) {
        pendingWake = false;
        const batch = await this.readBatch(position);
        const advanced = comparePositions(batch.checkpoint, position) > 0;
        if (batch.events.length > 0 || advanced || (batch.caughtUp && !announcedCaughtUp)) {
          announcedCaughtUp = batch.caughtUp;
          position = batch.checkpoint;
          yield batch;
        }
        if (batch.caughtUp && !pendingWake && !this.closed) await this.waitForWake();
      }
    } finally {
      stopListening();
    }
  }

  private waitForWake(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.config.idlePollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async readBatch(after: Position): Promise<SubscriptionBatch> {
    const pair = parsePosition(after) ?? { major: 0n, minor: 0n };
    const { rows } = await this.config.pool.query<{ is_head: boolean; transaction_id: string; global_position: string }>(READ_BATCH_SQL, [
      pair.major.toString(),
      pair.minor.toString(),
      this.config.eventTypes ? [...this.config.eventTypes] : null,
      this.config.maxBatchSize,
    ]);
    const head = rows.find((row) => row.is_head);
    const events = rows.filter((row) => !row.is_head).map((row) => this.config.toRecordedEvent(row));
    const full = events.length >= this.config.maxBatchSize;
    const last = events.at(-1)?.position ?? after;
    // A full batch may stop before the head; otherwise everything up to the visible head was scanned.
    const headPosition = head ? formatPosition({ major: BigInt(head.transaction_id), minor: BigInt(head.global_position) }) : START;
    const checkpoint = full || comparePositions(headPosition, last) < 0 ? last : headPosition;
    return { events, checkpoint, caughtUp: !full };
  }
}
