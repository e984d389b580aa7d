import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  storeSettingsFor,
  findWorkspaceByName,
  storeDecider,
  storeIdFor,
  storeStreamId,
  workspaceDecider,
  workspaceDirectoryStreamId,
  type StoreCreated,
} from '#domain';
import { aggregateStream, handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { notFound } from '../common/api-error.js';

export interface EnsuredStore {
  /** True when this command created the store. */
  readonly created: boolean;
  readonly workspaceId: string;
  /** As created, by this command or before it. */
  readonly store: StoreCreated['data'];
  readonly position: Position | null;
}

export class EnsureStoreCommand extends Command<EnsuredStore> {
  constructor(
    readonly organizationId: string,
    readonly workspaceName: string,
    readonly slug: string,
    readonly embeddingDim: number | null | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Get-or-create, decided on the store's own stream (`store-<workspaceId>_<slug>`), so two
 * concurrent calls create it once.
 */
@CommandHandler(EnsureStoreCommand)
export class EnsureStoreHandler implements ICommandHandler<EnsureStoreCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ organizationId, workspaceName, slug, embeddingDim, context }: EnsureStoreCommand): Promise<EnsuredStore> {
    // The directory stream, not the read model: a workspace created a moment ago is found.
    const directory = (await aggregateStream(this.eventStore, workspaceDirectoryStreamId(organizationId), workspaceDecider)).state;
    const workspaceId = findWorkspaceByName(directory, workspaceName);
    if (!workspaceId) throw notFound(`Workspace "${workspaceName}"`);

    const streamId = storeStreamId(storeIdFor(workspaceId, slug));
    // `null` counts as absent, as `@IsOptional` lets it through.
    const settings = storeSettingsFor(embeddingDim);
    const result = await handleCommand(
      this.eventStore,
      streamId,
      storeDecider,
      { type: 'EnsureStore', data: { organizationId, workspaceId, slug, settings, at: new Date().toISOString() } },
      context,
    );
    const created = result.events.find((e) => e.type === 'StoreCreated');
    if (created) return { created: true, workspaceId, store: created.data, position: result.position };
    const state = (await aggregateStream(this.eventStore, streamId, storeDecider)).state;
    if (state.status !== 'created') throw notFound(`Store "${slug}"`);
    return { created: false, workspaceId, store: state.store, position: result.position };
  }
}
