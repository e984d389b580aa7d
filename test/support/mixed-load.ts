/**
 * A mixed load of commands and reads over several api replicas, recording every answer. Each
 * client works in its own organization (so its commands never conflict with another's), sends
 * its requests round-robin over the replicas, and retries a command that was not answered (503,
 * or a connection refused or reset) with the same Idempotency-Key, as a well-behaved client does:
 * its outcome is unknown and the key makes the retry safe.
 */
export interface LoadClient {
  readonly org: string;
  readonly userId: string;
  readonly token: string;
}

export interface LoadRecord {
  readonly client: number;
  readonly replica: number;
  readonly op: string;
  readonly method: string;
  /** 0: no HTTP answer (connection refused or reset). */
  readonly status: number;
  readonly code: string | null;
  readonly retryAfter: string | null;
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface AcknowledgedWrite {
  readonly kind: 'workspace' | 'api-key';
  readonly client: number;
  readonly idempotencyKey: string;
  /** The workspace's or the API key's id, from the 2xx answer. */
  readonly id: string;
  readonly position: string;
}

export interface MixedLoadOptions {
  readonly replicas: readonly string[];
  readonly clients: readonly LoadClient[];
  /** Dashboard reads of a seeded workspace: `{org}/{ws}` paths under /v1/orgs, with that org's token. */
  readonly dashboard: { readonly org: string; readonly workspace: string; readonly token: string };
  /** How often a command is retried when its answer is a 503 or nothing, before giving up on it. */
  readonly maxAttempts?: number;
}

const DASHBOARD_PATHS = [
  'statistics',
  'health',
  'jobs/statistics?hours=720',
  'jobs/percentiles?range=30d',
  'jobs/timeseries?range=7d',
  'jobs?limit=20',
  'jobs/recent?limit=5',
];

export class MixedLoad {
  readonly records: LoadRecord[] = [];
  readonly acknowledged: AcknowledgedWrite[] = [];
  /** Commands given up on after maxAttempts unanswered tries: not acknowledged, so free to be lost. */
  readonly abandoned: string[] = [];
  private stopped = false;
  private running: Promise<void>[] = [];
  private nextReplica = 0;

  constructor(private readonly options: MixedLoadOptions) {}

  start(): void {
    this.running = this.options.clients.map((client, index) => this.runClient(client, index));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  /**
   * One workspace created by `client` outside the load's rhythm (retried like any command): a write
   * whose position a test then waits for. Acknowledged like the load's own. With `firstReplica`, the
   * first attempt goes to that replica (a test puts a command in flight there), retries round-robin.
   */
  async probeWrite(client: LoadClient, index: number, name: string, firstReplica?: number): Promise<string> {
    const written = await this.command(index, 'probe', `/v1/orgs/${client.org}/workspaces`, client, { name }, firstReplica);
    if (!written) throw new Error(`probe write ${name} was not acknowledged`);
    this.acknowledged.push({ kind: 'workspace', client: index, ...written, id: written.body.workspaceId });
    return written.position;
  }

  /** 2xx answers of `replica` to requests sent at or after `since`: how a test sees the load reach a replica again. */
  answeredSince(since: number, replica: number): number {
    return this.records.filter((r) => r.replica === replica && r.startedAt >= since && r.status >= 200 && r.status < 300).length;
  }

  private async runClient(client: LoadClient, index: number): Promise<void> {
    let lastPosition: string | null = null;
    for (let step = 0; !this.stopped; step++) {
      switch (step % 6) {
        case 0: {
          const written = await this.command(index, 'create-workspace', `/v1/orgs/${client.org}/workspaces`, client, {
            name: `w${index}n${step}`,
          });
          if (written) {
            this.acknowledged.push({ kind: 'workspace', client: index, ...written, id: written.body.workspaceId });
            lastPosition = written.position;
          }
          break;
        }
        case 3: {
          const written = await this.command(index, 'create-api-key', '/v1/me/api-keys', client, { name: `k${index}n${step}` });
          if (written) {
            this.acknowledged.push({ kind: 'api-key', client: index, ...written, id: written.body.id });
            lastPosition = written.position;
          }
          break;
        }
        case 1:
        case 4: {
          // Read-your-writes: the list waits (LISTEN/NOTIFY) until the projections reach the client's last write.
          const query = lastPosition ? `?minPosition=${lastPosition}` : '';
          const path = step % 6 === 1 ? `/v1/orgs/${client.org}/workspaces${query}` : `/v1/me/api-keys${query}`;
          await this.backOffIfRefused(this.send(index, 'read', 'GET', path, client.token));
          break;
        }
        default: {
          const { org, workspace, token } = this.options.dashboard;
          const path = DASHBOARD_PATHS[(step * 7 + index) % DASHBOARD_PATHS.length]!;
          await this.backOffIfRefused(this.send(index, 'dashboard', 'GET', `/v1/orgs/${org}/workspaces/${workspace}/${path}`, token));
        }
      }
    }
  }

  /** A client's short backoff after a refusal or no answer, so a dead replica is not hammered in a tight loop. */
  private async backOffIfRefused(sent: Promise<{ status: number }>): Promise<void> {
    const { status } = await sent;
    if (status === 0 || status === 503) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Sends a command until it is answered (2xx) or refused (any other 4xx/5xx than 503). */
  private async command(
    index: number,
    op: string,
    path: string,
    client: LoadClient,
    body: object,
    firstReplica?: number,
  ): Promise<{ idempotencyKey: string; position: string; body: any } | null> {
    const idempotencyKey = `${op}-${index}-${this.records.length}-${Math.random().toString(36).slice(2)}`;
    const maxAttempts = this.options.maxAttempts ?? 50;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const replica = attempt === 1 ? firstReplica : undefined;
      const answer = await this.send(index, op, 'POST', path, client.token, body, { 'idempotency-key': idempotencyKey }, replica);
      if (answer.status >= 200 && answer.status < 300) return { idempotencyKey, position: answer.body.position, body: answer.body };
      if (answer.status !== 503 && answer.status !== 0) return null;
      // A client's backoff before its retry (on the next replica), not a wait for the test's sake.
      await new Promise((resolve) => setTimeout(resolve, 50 * Math.min(attempt, 4)));
    }
    this.abandoned.push(idempotencyKey);
    return null;
  }

  private async send(
    index: number,
    op: string,
    method: string,
    path: string,
    token: string,
    body?: object,
    headers: Record<string, string> = {},
    to?: number,
  ): Promise<{ status: number; body: any }> {
    const replica = to ?? this.nextReplica++ % this.options.replicas.length;
    const startedAt = Date.now();
    let status = 0;
    let parsed: any = null;
    let retryAfter: string | null = null;
    try {
      const response = await fetch(`${this.options.replicas[replica]}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      const text = await response.text();
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = text; // not JSON: recorded by its status only
      }
    } catch {
      status = 0; // refused or reset: the replica is down (or was killed mid-request)
    }
    this.records.push({
      client: index,
      replica,
      op,
      method,
      status,
      code: parsed?.error?.code ?? null,
      retryAfter,
      startedAt,
      endedAt: Date.now(),
    });
    return { status, body: parsed };
  }
}

/** `{ "200": 812, "201": 240, "503": 17, "no answer": 4 }`, for the report line. */
export function countByStatus(records: readonly LoadRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const key = record.status === 0 ? 'no answer' : String(record.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
