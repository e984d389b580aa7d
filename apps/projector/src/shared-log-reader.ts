import type { RecordedEvent } from '#domain';
import type { EventStore, Position, SubscribeOptions, Subscription, SubscriptionBatch } from '#event-store';

export interface SharedLogReaderOptions {
  readonly store: Pick<EventStore, 'subscribe' | 'comparePositions'>;
  /** Every type a member may ask for: the shared read fetches these (a member asking for another reads on its own). */
  readonly eventTypes: readonly string[];
  /** Events per read of the shared subscription. */
  readonly maxBatchSize?: number;
  /** Batches a member may have waiting before the reader waits for it. */
  readonly queueBatches?: number;
  /** How long the reader waits for a member whose queue is full before leaving it to read on its own. */
  readonly lagGraceMs?: number;
  /**
   * A member given no event of its types gets its checkpoint moved by one empty batch at once when
   * nothing was delivered to it for this long, else at the end of this interval: at most one such
   * write per interval, and its checkpoint trails the shared read by this interval at most.
   */
  readonly emptyFlushMs?: number;
  /** When the reader (re)starts, it waits this long for the members subscribing together, and starts at the earliest. */
  readonly gatherMs?: number;
  readonly onModeChange?: (member: { readonly eventTypes: readonly string[] | undefined; readonly mode: MemberMode }) => void;
}

export type MemberMode = 'shared' | 'own' | 'closed';

const DEFAULTS = { maxBatchSize: 2000, queueBatches: 4, lagGraceMs: 1000, emptyFlushMs: 50, gatherMs: 25 };

/**
 * One read of the event log feeding many projections (in one projector process). A member is a
 * subscription with the store's contract (`subscribe({after, eventTypes, maxBatchSize})`: ordered,
 * gap-free batches with a checkpoint), served from the shared read when it is at or past the
 * reader's position, and by a subscription of its own otherwise (it started behind, or fell behind):
 *
 * - **No gap, no repeat.** A member joins the shared read only when its position is at or past the
 *   reader's: every batch the reader reads next starts at or before it, and events at or before it
 *   are left out. A member left behind reads on its own from the last checkpoint it was given.
 * - **Each falls behind on its own.** The reader reads ahead while every member has room (a few
 *   batches); a member still full after `lagGraceMs` is left to drain its queue and read on its
 *   own, so one slow projection does not hold the others. It joins again once caught up.
 * - **No write per batch for a projection that handles none of it.** A batch with none of a
 *   member's types is not delivered; its checkpoint is, as one empty batch per `emptyFlushMs` at
 *   most: at once when nothing was delivered to the member for that long (a lone write, the usual
 *   `?minPosition=` case, waits for no timer), otherwise at the end of the interval. A projection's
 *   checkpoint so trails the shared read by `emptyFlushMs` (50 ms) at most, plus its commit.
 * - **Failures reach everyone.** When the shared subscription fails, every member it feeds fails
 *   with the same error (the runner resubscribes from its committed checkpoint); when no member is
 *   left on the shared read, the shared subscription is closed at once.
 */
export class SharedLogReader {
  private readonly options: Required<Omit<SharedLogReaderOptions, 'onModeChange'>> & Pick<SharedLogReaderOptions, 'onModeChange'>;
  private readonly types: ReadonlySet<string>;
  private readonly members = new Set<Member>();
  /** Position the shared read reached (null: not running). */
  position: Position | null = null;
  private gathering: Member[] | null = null;
  private subscription: Subscription | null = null;
  private room: (() => void) | null = null;

  constructor(options: SharedLogReaderOptions) {
    this.options = { ...DEFAULTS, ...options };
    this.types = new Set(options.eventTypes);
  }

  subscribe(options: SubscribeOptions): Subscription {
    const member = new Member(this, options);
    if (!this.attach(member)) this.options.onModeChange?.({ eventTypes: member.eventTypes, mode: 'own' });
    return member;
  }

  /** Members served by the shared read now (for tests and metrics). */
  get sharedMembers(): number {
    return [...this.members].filter((m) => m.mode === 'shared').length;
  }

  async close(): Promise<void> {
    for (const member of [...this.members]) await member.close();
    await this.stopReading();
  }

  /** @internal Joins `member` to the shared read if it can without a gap; returns whether it did. */
  attach(member: Member): boolean {
    const { compare } = this;
    // The shared read fetches the types it was given: a member asking for others (or for all) reads on its own.
    if (!member.eventTypes || member.eventTypes.some((type) => !this.types.has(type))) return false;
    if (this.gathering) {
      this.gathering.push(member);
      member.join();
      return true;
    }
    if (this.position === null) {
      // Not reading: start after a short gathering, at the earliest member's position.
      this.gathering = [member];
      member.join();
      const timer = setTimeout(() => void this.startReading(), this.options.gatherMs);
      timer.unref?.();
      return true;
    }
    if (compare(member.position, this.position) < 0) return false;
    member.join();
    return true;
  }

  /** @internal */
  async leave(member: Member): Promise<void> {
    this.members.delete(member);
    this.gathering = this.gathering?.filter((m) => m !== member) ?? null;
    this.wakeReader();
    // Nobody on the shared read: close it now rather than at its next batch (an idle log may never send one).
    if (this.subscription && this.sharedMembers === 0) await this.stopReading();
  }

  /** @internal A member took a batch from its queue: the reader may have room again. */
  wakeReader(): void {
    const room = this.room;
    this.room = null;
    room?.();
  }

  /** @internal */
  get settings() {
    return this.options;
  }

  /** @internal */
  readonly compare = (a: Position, b: Position) => this.options.store.comparePositions(a, b);

  /** @internal */
  register(member: Member): void {
    this.members.add(member);
  }

  private async startReading(): Promise<void> {
    const gathered = this.gathering ?? [];
    this.gathering = null;
    const live = gathered.filter((member) => member.mode === 'shared');
    if (live.length === 0) return;
    const from = live.map((member) => member.position).reduce((a, b) => (this.compare(a, b) <= 0 ? a : b));
    this.position = from;
    const subscription = this.options.store.subscribe({
      after: from,
      eventTypes: [...this.types],
      maxBatchSize: this.options.maxBatchSize,
    });
    this.subscription = subscription;
    try {
      for await (const batch of subscription) {
        // Stopped (and perhaps started again from elsewhere) while this batch was read: it is not ours to hand out.
        if (this.subscription !== subscription) break;
        this.position = batch.checkpoint;
        for (const member of this.members) if (member.mode === 'shared') member.offer(batch);
        await this.untilRoom();
        if (this.sharedMembers === 0) break;
      }
    } catch (error) {
      if (this.subscription === subscription) for (const member of [...this.members]) if (member.mode === 'shared') member.fail(error);
    } finally {
      if (this.subscription === subscription) await this.stopReading();
    }
  }

  private async stopReading(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    this.position = null;
    this.wakeReader();
    await subscription?.close();
  }

  /** Waits while a shared member's queue is full, up to `lagGraceMs`; those still full then read on their own. */
  private async untilRoom(): Promise<void> {
    const deadline = Date.now() + this.options.lagGraceMs;
    for (;;) {
      const full = [...this.members].filter((member) => member.mode === 'shared' && member.queued >= this.options.queueBatches);
      if (full.length === 0) return;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        for (const member of full) member.leaveShared();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.room = resolve;
        timer = setTimeout(resolve, remaining);
      });
      clearTimeout(timer);
    }
  }
}

type Queued = { readonly batch: SubscriptionBatch } | { readonly error: unknown };

/** One projection's subscription through a `SharedLogReader`. */
class Member implements Subscription {
  readonly eventTypes: readonly string[] | undefined;
  private readonly types: ReadonlySet<string> | null;
  /** The last checkpoint handed to this member's queue or read on its own: it has everything up to here. */
  position: Position;
  mode: MemberMode = 'own';
  private readonly queue: Queued[] = [];
  /** A checkpoint passed with none of this member's events, not delivered yet. */
  private pendingEmpty: { checkpoint: Position; caughtUp: boolean } | null = null;
  private emptyTimer: NodeJS.Timeout | null = null;
  /** When a batch was last handed to the queue (empty batches are spaced by `emptyFlushMs` from it). */
  private lastDeliveredAt = -Infinity;
  private own: Subscription | null = null;
  private wake: (() => void) | null = null;
  private iterating = false;

  constructor(
    private readonly reader: SharedLogReader,
    private readonly options: SubscribeOptions,
  ) {
    this.eventTypes = options.eventTypes;
    this.types = options.eventTypes ? new Set(options.eventTypes) : null;
    this.position = options.after;
    reader.register(this);
  }

  get closed(): boolean {
    return this.mode === 'closed';
  }

  get queued(): number {
    return this.queue.length;
  }

  join(): void {
    this.setMode('shared');
  }

  /** Left behind by the reader: drains what it holds (a checkpoint held back too), then reads on its own. */
  leaveShared(): void {
    if (this.mode !== 'shared') return;
    this.flushEmpty();
    this.setMode('own');
    this.signal();
  }

  offer(batch: SubscriptionBatch): void {
    const { reader } = this;
    const events: RecordedEvent[] = [];
    for (const event of batch.events)
      if ((!this.types || this.types.has(event.type)) && reader.compare(event.position, this.position) > 0) events.push(event);
    if (reader.compare(batch.checkpoint, this.position) <= 0) return;
    this.position = batch.checkpoint;
    if (events.length > 0) {
      this.takeEmpty(); // this batch's checkpoint supersedes the one held back
      this.push({ batch: { events, checkpoint: batch.checkpoint, caughtUp: batch.caughtUp } });
      return;
    }
    this.pendingEmpty = { checkpoint: batch.checkpoint, caughtUp: batch.caughtUp };
    const wait = this.lastDeliveredAt + reader.settings.emptyFlushMs - Date.now();
    if (wait <= 0) return this.flushEmpty();
    this.emptyTimer ??= setTimeout(() => {
      this.emptyTimer = null;
      if (this.mode === 'shared') this.flushEmpty();
    }, wait);
  }

  fail(error: unknown): void {
    this.push({ error });
    this.setMode('own');
  }

  async close(): Promise<void> {
    if (this.mode === 'closed') return;
    this.setMode('closed');
    if (this.emptyTimer) clearTimeout(this.emptyTimer);
    this.signal();
    await Promise.all([this.reader.leave(this), this.own?.close()]);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionBatch> {
    if (this.iterating) throw new Error('A subscription is iterated once');
    this.iterating = true;
    try {
      while (this.mode !== 'closed') {
        const next = this.queue.shift();
        if (next) {
          this.reader.wakeReader();
          if ('error' in next) throw next.error;
          yield next.batch;
          continue;
        }
        if (this.mode === 'own') {
          yield* this.readOwn();
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      await this.close();
    }
  }

  /** Reads on its own from `position` until it can join the shared read again (or is closed). */
  private async *readOwn(): AsyncGenerator<SubscriptionBatch> {
    // A checkpoint held back still counts: rejoining at `position` brings no batch that would carry it.
    const pending = this.takeEmpty();
    if (pending) yield pending;
    if (this.closed || this.reader.attach(this)) return;
    const own = this.reader.settings.store.subscribe({ ...this.options, after: this.position });
    this.own = own;
    try {
      for await (const batch of own) {
        if (this.mode === 'closed') return;
        this.position = batch.checkpoint;
        yield batch;
        if (this.reader.attach(this)) return;
      }
    } finally {
      this.own = null;
      await own.close();
    }
  }

  private flushEmpty(): void {
    const batch = this.takeEmpty();
    if (batch) this.push({ batch });
  }

  private takeEmpty(): SubscriptionBatch | null {
    const pending = this.pendingEmpty;
    this.pendingEmpty = null;
    if (this.emptyTimer) clearTimeout(this.emptyTimer);
    this.emptyTimer = null;
    return pending && { events: [], checkpoint: pending.checkpoint, caughtUp: pending.caughtUp };
  }

  private push(item: Queued): void {
    if ('batch' in item) this.lastDeliveredAt = Date.now();
    this.queue.push(item);
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private setMode(mode: MemberMode): void {
    if (this.mode === mode || this.mode === 'closed') return;
    this.mode = mode;
    this.reader.settings.onModeChange?.({ eventTypes: this.eventTypes, mode });
  }
}
