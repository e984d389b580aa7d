import {
  eventIdFor,
  ingestionCommandIds,
  ingestionDecider,
  ingestionStreamId,
  type IngestionState,
  type RecordDocumentBatch,
} from '#domain';
import { aggregateStream, type EventStore, type ExpectedRevision } from '#event-store';

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
    const events = ingestionDecider.decide({ type: 'RecordDocumentBatch', data }, this.state);
    if (events.length === 0) return;
    const batch = (data.indexed ?? data.removed)!.batch;
    const commandId = ingestionCommandIds(this.jobId).batch(batch);
    const appended = await this.store.append(
      ingestionStreamId(this.jobId),
      events.map((event, index) => ({
        id: eventIdFor(commandId, index),
        type: event.type,
        data: event.data,
        metadata: { commandId, correlationId: this.jobId, schemaVersion: 1 },
      })),
      this.revision,
    );
    this.state = events.reduce(ingestionDecider.evolve, this.state);
    this.revision = appended.nextExpectedRevision;
  }
}
