import { LRUCache } from 'lru-cache';
import type { CheckpointWaiter } from './checkpoint-waiter.js';
import type { Sql } from './sql.js';

/** How a lookup was answered: from the cache, by a read that was then kept, or by a read that could not be kept. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface ProjectionCachesOptions {
  /** The process's checkpoint listener: its notifications are what keeps the entries exact. */
  readonly waiter: CheckpointWaiter;
  /** Reads the projections' checkpoints (one indexed statement for all of them). */
  readonly sql: Sql;
  readonly compare: (a: string, b: string) => number;
  /** A safety net under the notifications: an entry older than this is read again. */
  readonly ttlMs?: number;
  readonly onLookup?: (cache: string, outcome: CacheOutcome) => void;
  /** Subscribing to a projection's notifications failed (retried by a later lookup). */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_CACHE_TTL_MS = 60_000;
/** Subscribing again after a failure waits at least this long (lookups read through meanwhile). */
const RESUBSCRIBE_MS = 1000;

/** A cache bounded by the size of its values as well as by their number. */
export interface CacheByteBound<V> {
  readonly max: number;
  readonly sizeOf: (value: V) => number;
}

/** What the active generation of a projection has applied: equal states mean equal rows. */
interface Applied {
  readonly generation: number;
  readonly eventsProcessed: string;
}

/** One cached value; a box, so that a cached `null` (a lookup that found nothing) is a hit too. */
interface Box<V> {
  readonly value: V;
}

/** One projection, the caches that hold its rows, and what is known of how current they are. */
class Watch {
  /** Bumped by every notification and every clear: a read that started in an older epoch is not kept. */
  epoch = 0;
  /** Bumped by notifications only, so a check can tell whether one arrived while it ran. */
  notifications = 0;
  /** A notification arrived since the last check: the entries may describe rows that changed. */
  dirty = true;
  applied: Applied | null = null;
  /** Every entry reflects the projection at this position or later (null: not known). */
  floor: string | null = null;
  unsubscribe: (() => void) | null = null;
  subscribing = false;
  retryAt = 0;
  readonly caches = new Set<LRUCache<string, Box<unknown>>>();

  constructor(readonly projection: string) {}

  clear(): void {
    this.epoch++;
    for (const cache of this.caches) cache.clear();
  }
}

/**
 * In-process read-through caches for the lookups every request repeats (a caller's membership, a
 * workspace's id by name), kept exact by the projector's notifications rather than by a TTL:
 *
 * - The runner commits each batch with its checkpoint and notifies; a notification marks the
 *   projection's entries dirty, and the next lookup first reads the projection's checkpoint (one
 *   statement, shared by concurrent lookups): the entries are dropped only when the projection has
 *   applied events since they were read (`events_processed` or the generation moved). A checkpoint
 *   also advances, and notifies, for every append the projection does not handle, so dropping on
 *   every notification would empty the caches under any write load.
 * - A read that was running when a notification arrived (or the entries were dropped) is answered
 *   but not kept: it may have read the rows before the change.
 * - `?minPosition=p`: once the wait has seen the projection reach p, `caughtUp` drops every entry
 *   unless they are known to reflect p already. Reads after that see p; the notification for the
 *   batch that reached p may not have arrived yet, so it is not relied upon.
 * - While the listening connection is down nothing is cached (changes would go unnoticed), and its
 *   loss drops every entry: what was missed cannot be known.
 */
export class ProjectionCaches {
  private readonly watches = new Map<string, Watch>();
  private checking: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: ProjectionCachesOptions) {}

  /**
   * A cache of values read from `projection`'s rows, at most `max` entries and, with `bytes`, at
   * most `bytes.max` of what `bytes.sizeOf` counts (a value larger than that is never kept).
   */
  cache<V>(name: string, projection: string, max: number, bytes?: CacheByteBound<V>): ProjectionCache<V> {
    let watch = this.watches.get(projection);
    if (!watch) this.watches.set(projection, (watch = new Watch(projection)));
    const entries = new LRUCache<string, Box<V>>({
      max,
      ttl: this.options.ttlMs ?? DEFAULT_CACHE_TTL_MS,
      ...(bytes ? { maxSize: bytes.max, sizeCalculation: (box: Box<V>) => Math.max(1, Math.ceil(bytes.sizeOf(box.value))) } : {}),
    });
    watch.caches.add(entries as LRUCache<string, Box<unknown>>);
    this.subscribe(watch);
    return new ProjectionCache<V>(name, watch, entries, this, this.options.onLookup);
  }

  /**
   * A `?minPosition=` wait saw `projection` reach `position`: from now on no entry read before that
   * may answer. Synchronous and free when the entries are known to be that current already.
   */
  caughtUp(projection: string, position: string): void {
    const watch = this.watches.get(projection);
    if (!watch || (watch.floor !== null && this.options.compare(watch.floor, position) >= 0)) return;
    watch.clear();
    // Every read from now on starts after the wait saw `position` applied.
    watch.floor = position;
  }

  close(): void {
    this.closed = true;
    for (const watch of this.watches.values()) {
      watch.unsubscribe?.();
      watch.unsubscribe = null;
      watch.clear();
    }
  }

  /** @internal Whether `watch`'s entries may be used and new ones kept; checks first when notified. */
  async ready(watch: Watch): Promise<boolean> {
    if (this.closed) return false;
    if (!watch.unsubscribe) {
      this.subscribe(watch);
      return false;
    }
    if (!this.options.waiter.listening) return false;
    // Twice at most: a notification that arrives during a check asks for another, but a stream of
    // them must not hold a request back; it then reads through.
    for (let attempt = 0; watch.dirty && attempt < 2; attempt++) {
      try {
        await this.check();
      } catch {
        return false; // still dirty: the next lookup checks again; this read reports what is wrong
      }
    }
    return !watch.dirty && this.usable(watch);
  }

  /** @internal */
  usable(watch: Watch): boolean {
    return !this.closed && watch.unsubscribe !== null && this.options.waiter.listening && watch.applied !== null;
  }

  private subscribe(watch: Watch): void {
    if (this.closed || watch.unsubscribe || watch.subscribing || Date.now() < watch.retryAt) return;
    watch.subscribing = true;
    this.options.waiter
      .onAdvance(watch.projection, () => this.notified(watch))
      .then(
        (unsubscribe) => {
          if (this.closed) return unsubscribe();
          watch.unsubscribe = unsubscribe;
          // Changes made before the subscription notified no one: the first lookup checks.
          watch.dirty = true;
        },
        (error: unknown) => {
          watch.retryAt = Date.now() + RESUBSCRIBE_MS;
          this.options.onError?.(error);
        },
      )
      .finally(() => (watch.subscribing = false));
  }

  private notified(watch: Watch): void {
    watch.notifications++;
    watch.epoch++;
    watch.dirty = true;
    // Woken because the connection was lost: notifications may go missing until it is back.
    if (!this.options.waiter.listening) watch.clear();
  }

  /** Reads every watched projection's checkpoint in one statement; concurrent callers share it. */
  private check(): Promise<void> {
    this.checking ??= this.readCheckpoints().finally(() => (this.checking = null));
    return this.checking;
  }

  private async readCheckpoints(): Promise<void> {
    const watches = [...this.watches.values()];
    const notifications = new Map(watches.map((watch) => [watch, watch.notifications]));
    const rows = await this.options.sql<{ name: string; generation: number; events_processed: string; position: string }>(
      `SELECT c.name, c.generation, c.events_processed::text AS events_processed, c.position
         FROM projection_checkpoints c JOIN projection_generations g ON g.name = c.name AND g.active_generation = c.generation
        WHERE c.name = ANY($1)`,
      [watches.map((watch) => watch.projection)],
    );
    for (const watch of watches) {
      const row = rows.find((r) => r.name === watch.projection);
      const applied = row ? { generation: Number(row.generation), eventsProcessed: row.events_processed } : null;
      const unchanged =
        applied !== null &&
        watch.applied !== null &&
        applied.generation === watch.applied.generation &&
        applied.eventsProcessed === watch.applied.eventsProcessed;
      if (!unchanged) {
        // Entries read since this statement ran are not known to be older than it: drop them too.
        watch.clear();
        watch.applied = applied;
      }
      // Unchanged: the entries describe the rows as they are at this position. Changed: entries read
      // from now on start after it.
      if (row && (watch.floor === null || this.options.compare(row.position, watch.floor) > 0)) watch.floor = row.position;
      if (watch.notifications === notifications.get(watch)) watch.dirty = false;
    }
  }
}

/** One named cache of a projection's lookups (see `ProjectionCaches`). */
export class ProjectionCache<V> {
  constructor(
    readonly name: string,
    private readonly watch: Watch,
    private readonly entries: LRUCache<string, Box<V>>,
    private readonly owner: ProjectionCaches,
    private readonly report: ((cache: string, outcome: CacheOutcome) => void) | undefined,
  ) {}

  /** The cached value of `key`, or `load()`'s, kept when nothing could have changed while it ran. */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (!(await this.owner.ready(this.watch))) {
      this.report?.(this.name, 'bypass');
      return load();
    }
    const box = this.entries.get(key);
    if (box) {
      this.report?.(this.name, 'hit');
      return box.value;
    }
    const epoch = this.watch.epoch;
    const value = await load();
    const keep = this.watch.epoch === epoch && !this.watch.dirty && this.owner.usable(this.watch);
    if (keep) this.entries.set(key, { value });
    this.report?.(this.name, keep ? 'miss' : 'bypass');
    return value;
  }

  /**
   * The values of `keys`, in their order: the cached ones, and those of the others from one
   * `load(missing)` (its values in the order of `missing`), kept as `get` keeps them.
   */
  async getMany(keys: readonly string[], load: (missing: string[]) => Promise<V[]>): Promise<V[]> {
    const unique = [...new Set(keys)];
    const found = new Map<string, V>();
    const missing: string[] = [];
    const usable = await this.owner.ready(this.watch);
    for (const key of unique) {
      const box = usable ? this.entries.get(key) : undefined;
      if (box) {
        found.set(key, box.value);
        this.report?.(this.name, 'hit');
      } else missing.push(key);
    }
    if (missing.length > 0) {
      const epoch = this.watch.epoch;
      const values = await load(missing);
      const keep = usable && this.watch.epoch === epoch && !this.watch.dirty && this.owner.usable(this.watch);
      missing.forEach((key, i) => {
        const value = values[i] as V;
        found.set(key, value);
        if (keep) this.entries.set(key, { value });
        this.report?.(this.name, keep ? 'miss' : 'bypass');
      });
    }
    return keys.map((key) => found.get(key) as V);
  }

  /** Entries held now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** What the entries' `sizeOf` adds up to (0 for a cache bounded by entries only). */
  get calculatedSize(): number {
    return this.entries.calculatedSize;
  }
}
