import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AllStreamResolvedEvent, AllStreamSubscription, Filter, SubscribeToAllOptions } from '@eventstore/db-client';
import type { RecordedEvent } from '#domain';
import type { Position, Subscription, SubscriptionBatch } from '../event-store.port.js';
import { comparePositions } from '../position.js';
import { isTransient } from './eventstoredb.errors.js';
import { positionOf, toEsdbPosition, toStorePosition } from './eventstoredb.mapping.js';

export interface ResubscribeBackoff {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

export interface EventStoreDbLogger {
  warn(obj: object, msg: string): void;
}

export interface EventStoreDbSubscriptionConfig {
  readonly subscribeToAll: (options: SubscribeToAllOptions) => AllStreamSubscription;
  readonly after: Position;
  readonly maxBatchSize: number;
  readonly filter: (checkpointReached: NonNullable<Filter['checkpointReached']>) => Filter;
  /** Checked again on our side: a server that reads the filter differently must not leak other types. */
  readonly acceptsType: (type: string) => boolean;
  readonly toRecordedEvent: (resolved: AllStreamResolvedEvent) => RecordedEvent | undefined;
  readonly backoff: ResubscribeBackoff;
  readonly logger?: EventStoreDbLogger;
  readonly onClose?: () => void;
}

type Item =
  | { readonly kind: 'record'; readonly position: Position; readonly event: RecordedEvent | undefined }
  | { readonly kind: 'checkpoint'; readonly position: Position }
  | { readonly kind: 'caughtUp' }
  | { readonly kind: 'fellBehind' }
  | { readonly kind: 'failed'; readonly error: unknown };

/** Longest a batch waits for the rest of a burst before it is handed over smaller than the maximum. */
const BURST_WINDOW_MS = 20;

class SubscriptionEndedError extends Error {
  constructor() {
    super('EventStoreDB ended the subscription');
    this.name = 'SubscriptionEndedError';
  }
}

/**
 * A catch-up subscription to `$all` that survives connection loss: the client's subscription is
 * replaced, after an exponential backoff, by one that starts after the newest position already
 * taken. Taken items stay queued across the switch, so nothing is delivered twice or lost.
 */
export class EventStoreDbSubscription implements Subscription {
  private readonly items: Item[] = [];
  private queuedEvents = 0;
  private resumeFrom: Position;
  private lastRecord: Position;
  private current: AllStreamSubscription | undefined;
  private paused = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private started = false;
  private closed = false;

  constructor(private readonly config: EventStoreDbSubscriptionConfig) {
    this.resumeFrom = config.after;
    this.lastRecord = config.after;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.items.length = 0;
    this.notify();
    const subscription = this.current;
    if (subscription) await this.abandon(subscription);
    this.config.onClose?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionBatch> {
    if (this.started) throw new Error('An EventStoreDB subscription can be iterated only once');
    this.started = true;
    let checkpoint = this.config.after;
    let caughtUp = false;
    let announcedCaughtUp = false;
    try {
      this.connect();
      while (!this.closed) {
        await this.itemsArrived();
        await this.burstEnded();
        if (this.closed) break;
        const events: RecordedEvent[] = [];
        let advanced = false;
        while (this.items.length > 0) {
          const item = this.items[0]!;
          if (item.kind === 'failed') {
            if (events.length > 0 || advanced) break;
            this.items.shift();
            throw item.error;
          }
          if (item.kind === 'record' && item.event && events.length >= this.config.maxBatchSize) break;
          this.items.shift();
          if (item.kind === 'caughtUp') caughtUp = true;
          else if (item.kind === 'fellBehind') caughtUp = false;
          else {
            if (item.kind === 'record' && item.event) {
              events.push(item.event);
              this.queuedEvents -= 1;
            }
            // Never back: servers have repeated a stale checkpoint once live (KurrentDB#3697).
            if (comparePositions(item.position, checkpoint) > 0) {
              checkpoint = item.position;
              advanced = true;
            }
          }
        }
        this.applyBackpressure();
        if (events.length > 0 || advanced || (caughtUp && !announcedCaughtUp)) {
          announcedCaughtUp = caughtUp;
          yield { events, checkpoint, caughtUp };
        }
      }
    } finally {
      await this.close();
    }
  }

  private connect(): void {
    if (this.closed) return;
    let taken = 0;
    const held: { at: number; item: Item }[] = [];
    let subscription: AllStreamSubscription | undefined;
    /*
     * The client emits `caughtUp` and awaits `checkpointReached` while it transforms the server's
     * message, when events sent before it may still sit in its readable buffer (we paused it, or it
     * has not flowed yet). Such a signal is held until every event pushed before it has been taken,
     * or a checkpoint could be stored ahead of an event the subscriber never saw.
     */
    const signal = (item: Item): void => {
      if (!subscription || subscription !== this.current) return;
      const at = taken + subscription.readableLength;
      if (at <= taken) this.accept(item);
      else held.push({ at, item });
    };
    try {
      subscription = this.config.subscribeToAll({
        fromPosition: toEsdbPosition(this.resumeFrom),
        filter: this.config.filter((_subscription, position) => signal({ kind: 'checkpoint', position: toStorePosition(position) })),
      });
    } catch (error) {
      this.accept({ kind: 'failed', error });
      return;
    }
    const live = subscription;
    this.current = live;
    this.paused = false;
    live.on('data', (resolved: AllStreamResolvedEvent) => {
      if (live !== this.current) return;
      taken += 1;
      this.failures = 0;
      this.take(resolved);
      while (held.length > 0 && held[0]!.at <= taken) this.accept(held.shift()!.item);
    });
    live.on('confirmation', () => {
      if (live === this.current) this.failures = 0;
    });
    live.on('caughtUp', () => signal({ kind: 'caughtUp' }));
    live.on('fellBehind', () => signal({ kind: 'fellBehind' }));
    live.on('error', (error: Error) => this.dropped(live, error));
    live.on('end', () => this.dropped(live, new SubscriptionEndedError()));
    this.applyBackpressure();
  }

  private take(resolved: AllStreamResolvedEvent): void {
    const position = positionOf(resolved);
    // A server that treats the start position as inclusive redelivers the last record: drop it.
    if (!position || comparePositions(position, this.lastRecord) <= 0) return;
    this.lastRecord = position;
    const type = resolved.event?.type;
    const wanted = type !== undefined && this.config.acceptsType(type);
    const event = wanted ? this.config.toRecordedEvent(resolved) : undefined;
    if (wanted && !event) this.config.logger?.warn({ position, type }, 'Skipped an EventStoreDB record that is not a JSON object event');
    this.accept({ kind: 'record', position, event });
  }

  private accept(item: Item): void {
    if (this.closed) return;
    if ((item.kind === 'checkpoint' || item.kind === 'record') && comparePositions(item.position, this.resumeFrom) > 0) {
      this.resumeFrom = item.position;
    }
    this.items.push(item);
    if (item.kind === 'record' && item.event) this.queuedEvents += 1;
    this.applyBackpressure();
    this.notify();
  }

  private dropped(subscription: AllStreamSubscription, error: unknown): void {
    if (subscription !== this.current) return;
    void this.abandon(subscription);
    if (this.closed) return;
    if (!(error instanceof SubscriptionEndedError) && !isTransient(error)) {
      this.accept({ kind: 'failed', error });
      return;
    }
    const { initialDelayMs, maxDelayMs, factor } = this.config.backoff;
    const delayMs = Math.min(maxDelayMs, initialDelayMs * factor ** this.failures);
    this.failures += 1;
    this.config.logger?.warn(
      { err: error, resumeFrom: this.resumeFrom, attempt: this.failures, delayMs },
      'EventStoreDB subscription dropped; resubscribing',
    );
    // Until the new subscription reports `caughtUp`, the subscriber is not live any more.
    this.accept({ kind: 'fellBehind' });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delayMs);
  }

  private async abandon(subscription: AllStreamSubscription): Promise<void> {
    if (this.current === subscription) this.current = undefined;
    // Our listeners stay attached (and ignore it): a late `error` with no listener would crash the process.
    await subscription.unsubscribe().catch(() => undefined);
  }

  /** Bounded memory: stop reading from the server while the subscriber is behind by two batches. */
  private applyBackpressure(): void {
    const subscription = this.current;
    if (!subscription) return;
    if (!this.paused && this.items.length >= 2 * this.config.maxBatchSize) {
      subscription.pause();
      this.paused = true;
    } else if (this.paused && this.items.length < this.config.maxBatchSize) {
      subscription.resume();
      this.paused = false;
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async itemsArrived(): Promise<void> {
    while (this.items.length === 0 && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** A catch-up page reaches us over several ticks: flushing at its first event would make batches of one. */
  private async burstEnded(): Promise<void> {
    const deadline = Date.now() + BURST_WINDOW_MS;
    while (!this.closed && this.queuedEvents < this.config.maxBatchSize && Date.now() < deadline) {
      const last = this.items.at(-1);
      if (last?.kind === 'caughtUp' || last?.kind === 'failed') return;
      const before = this.items.length;
      await nextTurn();
      if (this.items.length === before) return;
    }
  }
}
