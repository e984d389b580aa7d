import type pg from 'pg';
import { DomainError, initialSyncCommandId, initialSyncJob, jobDecider, jobStreamId } from '#domain';
import { handleCommand, type EventStore } from '#event-store';
import type { GitHubAppClients, Logger } from '#adapters';
import {
  IngestionQueueQueries,
  checkoutClient,
  type CheckpointWaiter,
  type InitialSyncRequest,
  type PendingIngestionJob,
  type Sql,
} from '#read-models';
import { runIngestionJob } from './ingestion-job.runner.js';
import { isTransient } from './ingestion-error.js';
import { DEFAULT_INGESTION_SETTINGS, type IngestionSettings } from './ingestion.settings.js';
import { ingestionQueueLength } from './ingestion.metrics.js';
import { ReactorLoop } from '../reactor-loop.js';

export interface IngestionReactorOptions {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly checkpoints: CheckpointWaiter;
  readonly github: GitHubAppClients | null;
  readonly logger: Logger;
  /** Jobs run at once by this process (each on a different repository). */
  readonly concurrency?: number;
  /** A safety net under the NOTIFY wake-ups. */
  readonly pollIntervalMs?: number;
  /** After a transient failure a job is retried no sooner than this. */
  readonly retryDelayMs?: number;
  readonly settings?: Partial<IngestionSettings>;
}

/**
 * Runs ingestion jobs off the request path. Its work list is the `ingestion_queue` read model (jobs
 * queued or running; a running one is a job a crashed reactor left, resumed here) and the initial
 * syncs asked for by resource connections, which it turns into jobs. Jobs of one repository run one
 * at a time, in queue order, under a PostgreSQL advisory lock, so several reactor processes can run
 * side by side; organizations take turns (`nextPerRepository`), so none waits behind another's backlog. Woken by the queue projection's NOTIFY, with a poll as a safety net.
 */
export class IngestionReactor {
  private readonly queue: IngestionQueueQueries;
  private readonly sql: Sql;
  private readonly running = new Map<string, Promise<void>>();
  private readonly retryAfter = new Map<string, number>();
  private readonly settings: IngestionSettings;
  private readonly loop: ReactorLoop;

  constructor(private readonly options: IngestionReactorOptions) {
    this.sql = async (text, params) => (await options.pool.query(text, params as unknown[])).rows;
    this.queue = new IngestionQueueQueries(this.sql);
    this.settings = { ...DEFAULT_INGESTION_SETTINGS, ...options.settings };
    this.loop = new ReactorLoop(
      {
        checkpoints: options.checkpoints,
        wakeOn: 'ingestion_queue',
        pollIntervalMs: options.pollIntervalMs ?? 1000,
        onError: (error) => options.logger.warn({ err: error }, 'ingestion reactor could not read its queue; retrying'),
      },
      () => this.tick(),
    );
  }

  async start(): Promise<void> {
    await this.loop.start();
  }

  /** Jobs in flight stop at their next batch and stay running: the next reactor resumes them. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled(this.running.values());
  }

  private async tick(): Promise<void> {
    const requests = await this.queue.initialSyncRequests(100);
    for (const request of requests) await this.queueInitialSync(request);
    const length = await this.queue.length();
    ingestionQueueLength.set({ kind: 'jobs' }, length.jobs);
    ingestionQueueLength.set({ kind: 'initial_syncs' }, length.initialSyncs);

    const concurrency = this.options.concurrency ?? 2;
    if (this.running.size >= concurrency) return;
    const heads = await this.queue.nextPerRepository(concurrency + this.running.size + 16);
    for (const job of heads) {
      if (this.running.size >= concurrency || this.loop.signal.aborted) break;
      if (this.running.has(job.githubRepoId) || (this.retryAfter.get(job.jobId) ?? 0) > Date.now()) continue;
      this.running.set(
        job.githubRepoId,
        this.runLocked(job).finally(() => {
          this.running.delete(job.githubRepoId);
          this.loop.wake();
        }),
      );
    }
  }

  private async runLocked(job: PendingIngestionJob): Promise<void> {
    const lockKey = `ingestion:${job.githubRepoId}`;
    let client: pg.PoolClient | null = null;
    // The repository's lock lives in this session: if the session dies, another reactor may take
    // the lock, so this one stops the job at its next batch (it stays running and is resumed).
    const lockLost = new AbortController();
    try {
      client = await checkoutClient(this.options.pool, () => lockLost.abort());
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [lockKey]);
      if (!rows[0]!.locked) return; // another process runs this repository's jobs
      try {
        const outcome = await runIngestionJob(
          {
            store: this.options.store,
            sql: this.sql,
            checkpoints: this.options.checkpoints,
            github: this.options.github,
            logger: this.options.logger,
            settings: this.settings,
            signal: AbortSignal.any([this.loop.signal, lockLost.signal]),
          },
          job,
        );
        this.retryAfter.delete(job.jobId);
        this.options.logger.info({ jobId: job.jobId, repository: job.input.repoFullName, outcome }, 'ingestion job ended');
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      }
    } catch (error) {
      if (this.loop.signal.aborted) return;
      this.retryAfter.set(job.jobId, Date.now() + (this.options.retryDelayMs ?? 5000));
      this.options.logger.warn(
        { err: error, jobId: job.jobId, transient: isTransient(error) },
        'ingestion job interrupted; it will be resumed',
      );
    } finally {
      client?.release();
    }
  }

  /** Step 0 of the ingestion workflow: a connection's initial sync becomes its job. */
  private async queueInitialSync(request: InitialSyncRequest): Promise<void> {
    const [repository] = await this.sql<{ id: string }>(
      'SELECT id FROM repositories WHERE github_repo_id = $1 AND organization_id = $2 AND is_active',
      [request.repoId, request.organizationId],
    );
    const command = initialSyncJob(request, repository?.id ?? null, new Date().toISOString());
    try {
      await handleCommand(this.options.store, jobStreamId(command.data.jobId), jobDecider, command, {
        commandId: initialSyncCommandId(request.requestId),
        correlationId: command.data.jobId,
      });
    } catch (error) {
      // Queued already (the queue read model has not caught up with it yet): nothing to do.
      if (!(error instanceof DomainError && error.code === 'conflict')) throw error;
    }
  }
}
