import {
  eventIdFor,
  ingestionCommandIds,
  ingestionDecider,
  ingestionStreamId,
  type IngestionState,
  type RecordDocumentBatch,
} from '#domain';
import { aggregateStream, type EventStore, type EventToAppend, type ExpectedRevision } from '#event-store';

/**
 * Appends a job's document batches to `ingestion-<jobId>` keeping the stream's state in memory:
 * the stream is read once (when the job starts or resumes), not before every batch, because a
 * 100k-file job writes thousands of large batches. The expected revision still guards every append,
 * so a second reactor on the same job fails instead of writing a batch twice; batch event ids are
 * derived from (job, batch number), so a retried append after a lost acknowledgement is a no-op.
 */
export class DocumentBatchAppender {
  private constructor(
    private readonly store: EventStore,
    private readonly jobId: string,
    private state: IngestionState,
    private revision: ExpectedRevision,
  ) {}

  static async open(store: EventStore, jobId: string): Promise<DocumentBatchAppender> {
    const { state, revision } = await aggregateStream(store, ingestionStreamId(jobId), ingestionDecider);
    return new DocumentBatchAppender(store, jobId, state, revision ?? 'no-stream');
  }

  /** Batches already recorded: a resumed job numbers its next batch after them. */
  get nextBatch(): number {
    return this.state.batches;
  }

  get totals(): IngestionState {
    return this.state;
  }

  async record(data: RecordDocumentBatch['data']): Promise<void> {
    await this.recordAll([data]);
  }

  /**
   * Consecutive batches in one append: each is decided against the state its predecessors leave and
   * keeps its own event ids (from its batch number), so the events are those of appending the
   * batches one by one, written in one transaction. A retried group is answered as a duplicate by
   * its first event's id; a resumed job reads the stream and numbers on after the last batch.
   */
  async recordAll(batches: readonly RecordDocumentBatch['data'][]): Promise<void> {
    let state = this.state;
    const events: EventToAppend[] = [];
    for (const data of batches) {
      const decided = ingestionDecider.decide({ type: 'RecordDocumentBatch', data }, state);
      const commandId = ingestionCommandIds(this.jobId).batch((data.indexed ?? data.removed)!.batch);
      decided.forEach((event, index) =>
        events.push({
          id: eventIdFor(commandId, index),
          type: event.type,
          data: event.data,
          metadata: { commandId, correlationId: this.jobId, schemaVersion: 1 },
        }),
      );
      state = decided.reduce(ingestionDecider.evolve, state);
    }
    if (events.length === 0) return;
    const appended = await this.store.append(ingestionStreamId(this.jobId), events, this.revision);
    this.state = state;
    this.revision = appended.nextExpectedRevision;
  }
}
