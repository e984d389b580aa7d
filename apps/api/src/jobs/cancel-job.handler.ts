import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, findWorkspaceByName, jobDecider, jobStreamId, workspaceDecider, workspaceDirectoryStreamId } from '#domain';
import { aggregateStream, handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { notFound } from '../common/api-error.js';

export class CancelJobCommand extends Command<{ success: true; position: Position | null }> {
  constructor(
    readonly organizationId: string,
    /** The workspace name in the URL. */
    readonly workspace: string,
    readonly jobId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * A job of another workspace, or of another organization, is a 404 like an unknown one. Both sides
 * of that check come from the event streams, not the read models, which may lag: the workspace
 * that the name designates now, and the workspace the job's own stream says it is in.
 */
@CommandHandler(CancelJobCommand)
export class CancelJobHandler implements ICommandHandler<CancelJobCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ organizationId, workspace, jobId, context }: CancelJobCommand): Promise<{ success: true; position: Position | null }> {
    const { state: directory } = await aggregateStream(this.eventStore, workspaceDirectoryStreamId(organizationId), workspaceDecider);
    const workspaceId = findWorkspaceByName(directory, workspace);
    if (!workspaceId) throw notFound(`Workspace "${workspace}"`);
    const { state: job } = await aggregateStream(this.eventStore, jobStreamId(jobId), jobDecider);
    if (job.status === 'none' || job.workspaceId !== workspaceId) throw notFound('Job');
    try {
      const result = await handleCommand(
        this.eventStore,
        jobStreamId(jobId),
        jobDecider,
        { type: 'CancelJob', data: { at: new Date().toISOString(), reason: 'cancelled_by_user' } },
        context,
      );
      return { success: true, position: result.position };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found') throw notFound('Job');
      throw error;
    }
  }
}
