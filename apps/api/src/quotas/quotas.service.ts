import { EVENT_STORE, CONFIG, LOGGER, PRIMARY_CHECKPOINTS, PRIMARY_DATABASE, type ConsoleConfig } from '#runtime';
import type { EventStore } from '#event-store';
import {
  ApiKeyQueries,
  IngestionQueueQueries,
  RepositoryQueries,
  WorkspaceQueries,
  sqlOnDataSource,
  type CheckpointWaiter,
  type ProjectionName,
  type Sql,
} from '#read-models';
import { namedStatements, type Logger } from '#adapters';
import type { DataSource } from 'typeorm';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { apiKeyStreamId, workspaceDirectoryStreamId } from '#domain';
import { START } from '#event-store';
import { ConsistencyTimeoutError } from '#read-models';
import { ApiError } from '../common/api-error.js';
import { QUOTAS, type QuotaName } from '#runtime';

/** A full ingestion queue drains by itself: the caller is told to come back, not to delete something. */
const QUEUED_JOBS_RETRY_AFTER_SECONDS = 60;

const REPLAY = 'replay';

/** 422 (429 with `Retry-After` for queued jobs) with code `quota_exceeded`, naming the quota and its setting. */
export class QuotaExceededError extends ApiError {
  constructor(
    readonly quota: QuotaName,
    limit: number,
    current: number,
  ) {
    const { env, per, counts } = QUOTAS[quota];
    const queue = quota === 'queuedJobs';
    const hint = queue
      ? 'retry when some have finished'
      : quota === 'apiKeys'
        ? 'revoke or delete a key first'
        : 'ask an operator to raise it';
    super(
      queue ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.UNPROCESSABLE_ENTITY,
      'quota_exceeded',
      `${per === 'user' ? 'Your' : "This organization's"} quota of ${limit} ${counts} (${env}) is reached, with ${current}; ${hint}`,
      { quota, setting: env, limit, current },
      queue ? { 'Retry-After': String(QUEUED_JOBS_RETRY_AFTER_SECONDS) } : {},
    );
  }
}

/**
 * Per-organization quotas (API keys: per user), counted in the read models. A read model trails
 * the log by the projector's lag, so before counting, a check waits (bounded) for the projection to
 * apply what the log already holds for that owner: the workspace directory's or the user's key
 * stream's last event, or for repositories (one stream each) the store's head. The count then
 * misses only requests racing the same check, so the overshoot is at most the number of concurrent
 * requests of one owner (and connects are rate-limited per organization). If the projector does
 * not catch up in time the check counts what it has and logs it, rather than refuse all creation
 * while a projector is down. Queued jobs are counted without waiting: that check is on the push
 * webhook's path, and the queue drains by itself.
 *
 * Checks on a command's path, so on the primary: with a read replica (DATABASE_READ_URL) the
 * counts and the waits stay where the projector writes, and the replica's lag never delays a create.
 */
@Injectable()
export class Quotas {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    @Inject(PRIMARY_CHECKPOINTS) private readonly checkpoints: CheckpointWaiter,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PRIMARY_DATABASE) primary: DataSource,
  ) {
    const sql: Sql = sqlOnDataSource(primary);
    const onPrimary = <Q extends object>(Queries: new (sql: Sql) => Q): Q => namedStatements(new Queries(sql), Queries.name);
    const [repositories, workspaces, apiKeys, queue] = [
      onPrimary(RepositoryQueries),
      onPrimary(WorkspaceQueries),
      onPrimary(ApiKeyQueries),
      onPrimary(IngestionQueueQueries),
    ];
    // What each quota counts, in which read model. Every count is served by an index on its first column.
    this.counts = {
      repositories: { projection: 'repositories', count: (organizationId) => repositories.activeCountIn(organizationId) },
      workspaces: { projection: 'workspaces', count: (organizationId) => workspaces.countIn(organizationId) },
      apiKeys: { projection: 'api_keys', count: (userId) => apiKeys.activeCountFor(userId) },
      queuedJobs: { projection: 'ingestion_queue', count: (organizationId) => queue.countIn(organizationId) },
    };
  }

  private readonly counts: Record<QuotaName, { readonly projection: ProjectionName; readonly count: (owner: string) => Promise<number> }>;

  /** `commandId`: a retry of a create that already succeeded (same Idempotency-Key) is a replay, never refused. */
  async requireWorkspaceQuota(organizationId: string, commandId?: string): Promise<void> {
    await this.require('workspaces', organizationId, () => this.lastPosition(workspaceDirectoryStreamId(organizationId), commandId));
  }

  async requireApiKeyQuota(userId: string, commandId?: string): Promise<void> {
    await this.require('apiKeys', userId, () => this.lastPosition(apiKeyStreamId(userId), commandId));
  }

  /**
   * Before connecting (or reactivating) a repository. Repositories have no per-organization stream
   * to catch up to, only the store's head: connecting is rare, so it may wait as long as a query.
   */
  async requireRepositoryQuota(organizationId: string): Promise<void> {
    await this.require('repositories', organizationId, () => this.eventStore.headPosition());
  }

  /** Before queueing an ingestion job (reindex, push): 429 with `Retry-After` while the organization's queue is full. */
  async requireQueuedJobQuota(organizationId: string): Promise<void> {
    await this.require('queuedJobs', organizationId, null);
  }

  /** `position` resolves to where the read model must have caught up, or `'replay'` when there is nothing to check. */
  private async require(
    quota: QuotaName,
    owner: string,
    position: (() => Promise<string | null>) | null,
    catchUpMs = this.config.consistencyTimeoutMs,
  ): Promise<void> {
    const limit = this.config.quotas[quota];
    if (limit === null) return;
    const { projection, count } = this.counts[quota];
    const target = position ? await position() : null;
    if (target === REPLAY) return;
    await this.catchUp(projection, target, catchUpMs);
    const current = await count(owner);
    if (current >= limit) throw new QuotaExceededError(quota, limit, current);
  }

  private async lastPosition(streamId: string, commandId: string | undefined): Promise<string | null> {
    const events = await this.eventStore.readStream(streamId);
    if (commandId !== undefined && events.some((e) => e.metadata.commandId === commandId)) return REPLAY;
    return events.at(-1)?.position ?? null;
  }

  private async catchUp(projection: string, position: string | null, timeoutMs: number): Promise<void> {
    if (position === null || position === START) return;
    try {
      await this.checkpoints.waitFor(projection, position, timeoutMs);
    } catch (error) {
      if (!(error instanceof ConsistencyTimeoutError)) throw error;
      this.logger.warn({ projection, timeoutMs }, 'quota counted on a lagging read model');
    }
  }
}
