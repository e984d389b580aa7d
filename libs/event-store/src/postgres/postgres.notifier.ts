import pg from 'pg';
import { EVENTS_CHANNEL } from './postgres.schema.js';

const INITIAL_RECONNECT_MS = 100;
const MAX_RECONNECT_MS = 5000;

/**
 * Wakes subscribers when events commit. One LISTEN connection per store; listeners are plain
 * callbacks. NOTIFY is sent after the append's commit, never inside it, because NOTIFY takes a
 * database-wide lock at commit that would serialize every writer. Sends are coalesced: while one
 * is in flight, any number of further appends cause exactly one more.
 */
export class PostgresNotifier {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private sending = false;
  private sendAgain = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs = INITIAL_RECONNECT_MS;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string | undefined,
    private readonly clientConfig: pg.ClientConfig | undefined,
  ) {}

  async listen(listener: () => void): Promise<() => void> {
    this.listeners.add(listener);
    // Not listening yet (the server is unreachable) does not fail the subscriber: it polls, and the
    // connection is retried while it listens.
    await this.ensureListening().catch(() => undefined);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    if (this.sending) {
      this.sendAgain = true;
      return;
    }
    this.sending = true;
    this.pool
      .query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, ''])
      .catch(() => undefined) // subscribers also poll, so a lost wake-up only delays them
      .finally(() => {
        this.sending = false;
        if (this.sendAgain && !this.closed) {
          this.sendAgain = false;
          this.notify();
        }
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private ensureListening(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.clientConfig ?? { connectionString: this.connectionString });
    client.on('notification', () => this.wakeAll());
    client.on('error', () => {
      if (this.client !== client) return; // pg reports one loss twice (the server's error, then the socket's end)
      this.client = null;
      void client.end().catch(() => undefined);
      this.reconnectLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (error) {
      void client.end().catch(() => undefined);
      this.reconnectLater();
      throw error;
    }
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    this.reconnectDelayMs = INITIAL_RECONNECT_MS;
    this.wakeAll(); // anything committed while we were not listening
  }

  /** A dropped LISTEN connection is re-established while anyone listens (with backoff); pollers cover the gap meanwhile. */
  private reconnectLater(): void {
    if (this.closed || this.reconnectTimer || this.listeners.size === 0) return;
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(MAX_RECONNECT_MS, delayMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.ensureListening().catch(() => undefined); // a failed attempt schedules the next one
    }, delayMs);
    this.reconnectTimer.unref();
  }

  private wakeAll(): void {
    for (const listener of this.listeners) listener();
  }
}
