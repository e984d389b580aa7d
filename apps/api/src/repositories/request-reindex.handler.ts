import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  compensateRefusedReindex,
  jobDecider,
  jobStreamId,
  reindexCommandIds,
  reindexJob,
  reindexJobIdFor,
  repositoryDecider,
  repositoryStreamId,
  requestReindex,
  type ReindexRequest,
} from '#domain';
import { aggregateStream, handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { Quotas } from '../quotas/quotas.service.js';
import { RepositoryQueries } from '#read-models';
import { loadOwnedRepository } from './repository.stream.js';

export interface ReindexView {
  readonly jobId: string;
  readonly workspaceId: string | null;
  readonly position: Position | null;
}

export class RequestReindexCommand extends Command<ReindexView> {
  constructor(
    readonly organizationId: string,
    readonly userId: string,
    readonly repositoryId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * The reindex workflow (libs/domain: reindex.workflow.ts) with its reads and appends: the job on
 * its own stream, then `ReindexRequested` on the repository's, then the job's cancellation if the
 * repository refused. The ingestion reactor does the work; the answer (202) comes at once.
 */
@CommandHandler(RequestReindexCommand)
export class RequestReindexHandler implements ICommandHandler<RequestReindexCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly queries: RepositoryQueries,
    private readonly quotas: Quotas,
  ) {}

  async execute({ organizationId, userId, repositoryId, context }: RequestReindexCommand): Promise<ReindexView> {
    const state = await loadOwnedRepository(this.eventStore, this.queries, organizationId, repositoryId);
    const jobId = reindexJobIdFor(context.commandId);
    const ids = reindexCommandIds(context.commandId);
    const at = new Date().toISOString();
    // The active job's status is read again for step 2: it may have ended since step 1.
    const request = async (): Promise<ReindexRequest> => ({
      organizationId,
      jobId,
      requestedBy: userId,
      activeJob: await this.jobStatus(state.activeJobId),
      at,
    });

    const job = reindexJob(state, await request());
    await this.quotas.requireQueuedJobQuota(organizationId);
    const queued = await handleCommand(this.eventStore, jobStreamId(jobId), jobDecider, job, { ...context, commandId: ids.job });
    try {
      await handleCommand(
        this.eventStore,
        repositoryStreamId(organizationId, state.githubRepoId),
        repositoryDecider,
        requestReindex(await request()),
        { ...context, commandId: ids.repository },
      );
    } catch (error) {
      const cancel = compensateRefusedReindex(error, new Date().toISOString());
      if (cancel) await handleCommand(this.eventStore, jobStreamId(jobId), jobDecider, cancel, { ...context, commandId: ids.cancel });
      throw error;
    }
    return { jobId, workspaceId: state.workspaceId, position: queued.position };
  }

  private async jobStatus(jobId: string | null): Promise<ReindexRequest['activeJob']> {
    if (jobId === null) return null;
    const { state } = await aggregateStream(this.eventStore, jobStreamId(jobId), jobDecider);
    return { jobId, status: state.status };
  }
}
