import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { reportedMembershipCommands } from '#domain';
import { recordReportedOrganization, type FactContext, type RecordedOrganization } from '#application';
import type { EventStore } from '#event-store';
import type { DirectoryMembership } from '#adapters';
import { EVENT_STORE } from '#runtime';

/** A membership as Clerk reports it (a webhook, or Clerk's answer on an authorization miss). */
export class RecordClerkMembershipCommand extends Command<RecordedOrganization> {
  constructor(
    readonly membership: DirectoryMembership,
    readonly fact: FactContext,
  ) {
    super();
  }
}

@CommandHandler(RecordClerkMembershipCommand)
export class RecordClerkMembershipHandler implements ICommandHandler<RecordClerkMembershipCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ membership, fact }: RecordClerkMembershipCommand): Promise<RecordedOrganization> {
    return recordReportedOrganization(
      this.eventStore,
      membership.organization,
      reportedMembershipCommands(membership, fact.source, fact.at),
      fact,
    );
  }
}
