import type { AppendResult, EventToAppend, ExpectedRevision } from '../event-store.port.js';

export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedRevision;
}

/** One append's own answer inside a batch: its result, or the error only it gets. */
export type AppendOutcome = { readonly result: AppendResult } | { readonly error: unknown };

export interface GroupCommitOptions {
  /** Batches (transactions) in flight at once; appends arriving meanwhile wait for the next one. */
  readonly maxInFlight?: number;
  /** Upper bounds of one batch; a single append larger than `maxEvents` still goes, alone. */
  readonly maxAppends?: number;
  readonly maxEvents?: number;
}

interface Pending {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: appends made while the store's batches are in flight are queued and written
 * together in the next transaction, so concurrent writers share a round trip and a commit (its WAL
 * flush) instead of queueing for one each. With nothing in flight an append leaves at the next turn
 * of the event loop (appends made in the same turn go with it), so a lone writer waits no longer
 * than before. Each append keeps its own outcome: `writeBatch` answers per append.
 */
export class GroupCommit {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxAppends: number;
  private readonly maxEvents: number;

  constructor(
    private readonly writeOne: (request: AppendRequest) => Promise<AppendResult>,
    private readonly writeBatch: (requests: readonly AppendRequest[]) => Promise<readonly AppendOutcome[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 1;
    this.maxAppends = options.maxAppends ?? 256;
    this.maxEvents = options.maxEvents ?? 2000;
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  /**
   * On the next turn rather than at once: the writers whose appends just returned (or that run in
   * this turn) get to queue their next ones first, and they all go in one batch.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.queue.length > 0) void this.send(this.take());
    });
  }

  private take(): Pending[] {
    let events = this.queue[0]!.request.events.length;
    let count = 1;
    while (count < this.queue.length && count < this.maxAppends) {
      events += this.queue[count]!.request.events.length;
      if (events > this.maxEvents) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async send(batch: readonly Pending[]): Promise<void> {
    this.inFlight++;
    try {
      if (batch.length === 1) {
        const [only] = batch;
        await this.writeOne(only!.request).then(only!.resolve, only!.reject);
        return;
      }
      let outcomes: readonly AppendOutcome[];
      try {
        outcomes = await this.writeBatch(batch.map((pending) => pending.request));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      batch.forEach((pending, index) => {
        const outcome = outcomes[index]!;
        if ('result' in outcome) pending.resolve(outcome.result);
        else pending.reject(outcome.error);
      });
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
