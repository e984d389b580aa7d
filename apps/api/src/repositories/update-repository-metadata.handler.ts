import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { repositoryDecider, repositoryStreamId, type RepositoryMetadata } from '#domain';
import { handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { RepositoryQueries } from '#read-models';
import { loadOwnedRepository } from './repository.stream.js';

export interface UpdatedRepositoryMetadata {
  /** The whole metadata after the merge. */
  readonly metadata: RepositoryMetadata;
  readonly position: Position | null;
}

export class UpdateRepositoryMetadataCommand extends Command<UpdatedRepositoryMetadata> {
  constructor(
    readonly organizationId: string,
    readonly repositoryId: string,
    readonly changes: RepositoryMetadata,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * `repository.updateMetadata` from the API: the same decision as GitHub's webhooks take (the
 * original's merge, `{...old, ...changes}`), on the repository's own stream; another
 * organization's repository is a 404 (`loadOwnedRepository`).
 */
@CommandHandler(UpdateRepositoryMetadataCommand)
export class UpdateRepositoryMetadataHandler implements ICommandHandler<UpdateRepositoryMetadataCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly queries: RepositoryQueries,
  ) {}

  async execute({ organizationId, repositoryId, changes, context }: UpdateRepositoryMetadataCommand): Promise<UpdatedRepositoryMetadata> {
    const state = await loadOwnedRepository(this.eventStore, this.queries, organizationId, repositoryId);
    const result = await handleCommand(
      this.eventStore,
      repositoryStreamId(organizationId, state.githubRepoId),
      repositoryDecider,
      { type: 'UpdateRepositoryMetadata', data: { changes, at: new Date().toISOString() } },
      context,
    );
    const updated = result.events.find((e) => e.type === 'RepositoryMetadataUpdated');
    // A merge that changed nothing: what the stream held is the answer.
    const metadata = updated?.type === 'RepositoryMetadataUpdated' ? updated.data.metadata : { ...state.metadata, ...changes };
    return { metadata, position: result.position };
  }
}
