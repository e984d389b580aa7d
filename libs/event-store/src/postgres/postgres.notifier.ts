import pg from 'pg';
import { EVENTS_CHANNEL } from './postgres.schema.js';

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

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string | undefined,
    private readonly clientConfig: pg.ClientConfig | undefined,
  ) {}

  async listen(listener: () => void): Promise<() => void> {
    this.listeners.add(listener);
    await this.ensureListening();
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
    // A dropped LISTEN connection is re-established lazily; pollers cover the gap meanwhile.
    client.on('error', () => {
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      if (!this.closed && this.listeners.size > 0) setTimeout(() => void this.ensureListening().catch(() => undefined), 500).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    this.wakeAll(); // anything committed while we were not listening
  }

  private wakeAll(): void {
    for (const listener of this.listeners) listener();
  }
}
