import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { perStreamCommandIds } from '#domain';
import { loadOrganization, sendToOrganization, type FactContext } from '#application';
import type { EventStore, Position } from '#event-store';
import { EVENT_STORE } from '#runtime';

/** Null when the organization is unknown here: there is no membership to remove. */
export class RemoveClerkMembershipCommand extends Command<{ position: Position | null } | null> {
  constructor(
    readonly organizationId: string,
    readonly userId: string,
    readonly fact: FactContext,
  ) {
    super();
  }
}

@CommandHandler(RemoveClerkMembershipCommand)
export class RemoveClerkMembershipHandler implements ICommandHandler<RemoveClerkMembershipCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ organizationId, userId, fact }: RemoveClerkMembershipCommand): Promise<{ position: Position | null } | null> {
    if ((await loadOrganization(this.eventStore, organizationId)).state.organizationId === null) return null;
    const removed = await sendToOrganization(
      this.eventStore,
      organizationId,
      { type: 'RemoveMember', data: { organizationId, userId, source: fact.source, at: fact.at } },
      {
        commandId: perStreamCommandIds(fact.commandId).organization,
        userId: fact.userId,
      },
    );
    return { position: removed.position };
  }
}
