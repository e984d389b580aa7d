import pg from 'pg';
import { CHECKPOINT_CHANNEL, SWITCH_CHANNEL } from './projection-catalog.js';

export class ConsistencyTimeoutError extends Error {
  constructor(
    readonly projection: string,
    readonly minPosition: string,
    readonly reached: string | null,
  ) {
    super(`Projection ${projection} has not reached position ${minPosition} yet (at ${reached ?? 'nothing'})`);
    this.name = 'ConsistencyTimeoutError';
  }
}

const INITIAL_RECONNECT_MS = 100;
const MAX_RECONNECT_MS = 5000;

/**
 * Read-your-writes: waits until the active generation of a projection has applied a position.
 * Woken by the NOTIFY the runner sends in each batch's transaction; the timeout bounds the wait.
 */
export class CheckpointWaiter {
  private listener: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs = INITIAL_RECONNECT_MS;
  protected closed = false;
  protected readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    protected readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly compare: (a: string, b: string) => number,
  ) {}

  async waitFor(projection: string, minPosition: string, timeoutMs: number): Promise<void> {
    await this.ensureListening();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const set = this.waiters.get(projection) ?? new Set();
      this.waiters.set(projection, set.add(wake));
      try {
        const reached = await this.position(projection);
        if (reached !== null && this.compare(reached, minPosition) >= 0) return;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new ConsistencyTimeoutError(projection, minPosition, reached);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]);
        clearTimeout(timer);
      } finally {
        set.delete(wake);
      }
    }
  }

  /**
   * `waitFor` for several projections under one deadline, reading all their checkpoints in one
   * statement per wake-up (a read route declares two to four). The timeout error names the first
   * projection, in the order given, that had not reached the position.
   */
  async waitForAll(projections: readonly string[], minPosition: string, timeoutMs: number): Promise<void> {
    if (projections.length === 1) return this.waitFor(projections[0]!, minPosition, timeoutMs);
    await this.ensureListening();
    const deadline = Date.now() + timeoutMs;
    let pending = [...new Set(projections)];
    for (;;) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const sets = pending.map((projection) => {
        const set = this.waiters.get(projection) ?? new Set();
        this.waiters.set(projection, set.add(wake));
        return set;
      });
      try {
        const reached = await this.positions(pending);
        pending = pending.filter((projection) => {
          const position = reached.get(projection) ?? null;
          return position === null || this.compare(position, minPosition) < 0;
        });
        if (pending.length === 0) return;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new ConsistencyTimeoutError(pending[0]!, minPosition, reached.get(pending[0]!) ?? null);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]);
        clearTimeout(timer);
      } finally {
        for (const set of sets) set.delete(wake);
      }
    }
  }

  /**
   * Calls `listener` whenever the projection commits a batch or switches generation (and when the listening connection is
   * lost, so a caller re-reads rather than miss a change). Returns the unsubscribe function.
   */
  async onAdvance(projection: string, listener: () => void): Promise<() => void> {
    await this.ensureListening();
    const set = this.waiters.get(projection) ?? new Set();
    this.waiters.set(projection, set.add(listener));
    return () => set.delete(listener);
  }

  /**
   * Re-runs `probe` each time `projection` commits a batch until it returns a value: woken by the
   * projection's NOTIFY, never polling; throws after `timeoutMs` naming `what` it waited for.
   */
  async waitUntil<T>(projection: string, probe: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
    let wake: () => void = () => undefined;
    const unsubscribe = await this.onAdvance(projection, () => wake());
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const woken = new Promise<void>((resolve) => (wake = resolve));
        const found = await probe();
        if (found !== undefined) return found;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`${what}: not seen in ${projection} within ${timeoutMs} ms`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]);
        clearTimeout(timer);
      }
    } finally {
      unsubscribe();
    }
  }

  /** True while notifications are being received: a subscriber that caches must not while it is false. */
  get listening(): boolean {
    return this.listener !== null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  private async position(projection: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ position: string }>(
      `SELECT c.position FROM projection_checkpoints c JOIN projection_generations g ON g.name = c.name AND g.active_generation = c.generation WHERE c.name = $1`,
      [projection],
    );
    return rows[0]?.position ?? null;
  }

  private async positions(projections: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ name: string; position: string }>(
      `SELECT c.name, c.position FROM projection_checkpoints c JOIN projection_generations g ON g.name = c.name AND g.active_generation = c.generation WHERE c.name = ANY($1)`,
      [projections],
    );
    return new Map(rows.map((row) => [row.name, row.position]));
  }

  protected ensureListening(): Promise<void> {
    if (this.listener || this.closed) return Promise.resolve();
    this.connecting ??= this.listen().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      for (const wake of this.waiters.get(message.payload ?? '') ?? []) wake();
    });
    client.on('error', () => this.lost(client));
    try {
      await client.connect();
      // A generation switch (replay) changes what the projection's views show, and its checkpoint: both wake the same waiters.
      await client.query(`LISTEN ${CHECKPOINT_CHANNEL}; LISTEN ${SWITCH_CHANNEL}`);
    } catch (error) {
      void client.end().catch(() => undefined);
      this.reconnectLater();
      throw error;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.listener = client;
    this.reconnectDelayMs = INITIAL_RECONNECT_MS;
    // Batches committed while nobody listened notified no one: every waiter re-reads its checkpoint.
    this.wakeAll();
  }

  /** The LISTEN connection died (a failover, a terminated backend): wake everyone to re-read, and listen again. */
  private lost(client: pg.Client): void {
    if (this.listener !== client) return; // pg reports one loss twice (the server's error, then the socket's end)
    this.listener = null;
    void client.end().catch(() => undefined);
    this.wakeAll();
    this.reconnectLater();
  }

  /** Reconnects on its own while someone waits or subscribes; otherwise the next `waitFor` does. */
  private reconnectLater(): void {
    if (this.closed || this.reconnectTimer || ![...this.waiters.values()].some((set) => set.size > 0)) return;
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(MAX_RECONNECT_MS, delayMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.ensureListening().catch(() => undefined); // a failed attempt schedules the next one
    }, delayMs);
    this.reconnectTimer.unref();
  }

  protected wakeAll(): void {
    for (const set of this.waiters.values()) for (const wake of set) wake();
  }
}

/** What a checkpoint row says, compared between polls: a change is what a notification would have announced. */
const ACTIVE_CHECKPOINTS = `SELECT c.name, c.generation::text || '/' || c.events_processed::text || '/' || c.position AS state
  FROM projection_checkpoints c JOIN projection_generations g ON g.name = c.name AND g.active_generation = c.generation`;

export interface ReplicaPolling {
  /** Between two reads of the checkpoints while only subscribers (caches, `waitUntil`) listen. */
  readonly idleMs: number;
  /** Between two reads while a `waitFor` is waiting: what a `?minPosition=` read adds to the replica's lag at most. */
  readonly waitingMs: number;
}

export const DEFAULT_REPLICA_POLLING: ReplicaPolling = { idleMs: 100, waitingMs: 10 };

/**
 * `CheckpointWaiter` on a read replica's checkpoints (`DATABASE_READ_URL`). The projector's NOTIFY
 * reaches sessions on the primary only: neither a streaming standby nor a logical subscriber
 * delivers it, and a wake-up from the primary would come before the replica applied the batch
 * anyway. So one statement reads every projection's checkpoint as replicated, while anyone waits
 * or subscribes, and wakes the waiters of each projection whose row changed, as its notification
 * would have. `listening` is false while that statement fails, so caches read through, as they do
 * when the primary's LISTEN connection is lost.
 */
export class ReplicaCheckpointWaiter extends CheckpointWaiter {
  /** Each projection's checkpoint (generation, events applied, position) at the last poll. */
  private readonly states = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;
  private polling = false;
  private healthy = false;
  private waiting = 0;

  constructor(
    pool: pg.Pool,
    compare: (a: string, b: string) => number,
    private readonly intervals: ReplicaPolling = DEFAULT_REPLICA_POLLING,
  ) {
    super(pool, '', compare);
  }

  override async waitFor(projection: string, minPosition: string, timeoutMs: number): Promise<void> {
    return this.whileWaiting(() => super.waitFor(projection, minPosition, timeoutMs));
  }

  override async waitForAll(projections: readonly string[], minPosition: string, timeoutMs: number): Promise<void> {
    return this.whileWaiting(() => super.waitForAll(projections, minPosition, timeoutMs));
  }

  override get listening(): boolean {
    return this.polling && this.healthy;
  }

  override async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.polling = false;
    await super.close();
  }

  /** Starts polling (its first read done, so a subscriber knows where it starts from); a no-op while it runs. */
  protected override ensureListening(): Promise<void> {
    if (this.polling || this.closed) return Promise.resolve();
    this.starting ??= this.poll()
      .then(() => {
        if (this.polling || this.closed) return;
        this.polling = true;
        this.schedule();
      })
      .finally(() => (this.starting = null));
    return this.starting;
  }

  private async whileWaiting(wait: () => Promise<void>): Promise<void> {
    // Poll at the waiting pace from now: the idle timer may be nearly a whole interval away.
    if (this.waiting++ === 0 && this.polling) this.schedule();
    try {
      return await wait();
    } finally {
      this.waiting--;
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        // Nobody to wake: stop; the next `waitFor` or subscription starts again (and reads first).
        if (![...this.waiters.values()].some((set) => set.size > 0)) return void (this.polling = false);
        void this.poll()
          .catch(() => undefined) // reported by `listening`; the next poll tries again
          .finally(() => {
            if (this.polling && !this.timer) this.schedule();
          });
      },
      this.waiting > 0 ? this.intervals.waitingMs : this.intervals.idleMs,
    );
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    let rows: Array<{ name: string; state: string }>;
    try {
      ({ rows } = await this.pool.query<{ name: string; state: string }>(ACTIVE_CHECKPOINTS));
    } catch (error) {
      // As a lost LISTEN connection: changes may go unseen until a poll succeeds, so everyone re-reads now.
      if (this.healthy) {
        this.healthy = false;
        this.wakeAll();
      }
      throw error;
    }
    const recovered = !this.healthy;
    this.healthy = true;
    const changed: string[] = [];
    for (const { name, state } of rows) {
      if (this.states.get(name) === state) continue;
      this.states.set(name, state);
      changed.push(name);
    }
    if (recovered) this.wakeAll();
    else for (const name of changed) for (const wake of this.waiters.get(name) ?? []) wake();
  }
}
