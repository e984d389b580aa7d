import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { reportedOrganizationCommands } from '#domain';
import { recordReportedOrganization, type FactContext, type RecordedOrganization } from '#application';
import type { EventStore } from '#event-store';
import type { DirectoryOrganization } from '#adapters';
import { EVENT_STORE } from '#runtime';

/**
 * An organization as Clerk reports it. With `update` (`organization.updated`), its name and slug
 * are applied too unless the stream knows a newer state; without, only an unknown organization is
 * recorded.
 */
export class RecordClerkOrganizationCommand extends Command<RecordedOrganization> {
  constructor(
    readonly organization: DirectoryOrganization,
    readonly update: boolean,
    readonly fact: FactContext,
  ) {
    super();
  }
}

@CommandHandler(RecordClerkOrganizationCommand)
export class RecordClerkOrganizationHandler implements ICommandHandler<RecordClerkOrganizationCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ organization, update, fact }: RecordClerkOrganizationCommand): Promise<RecordedOrganization> {
    return recordReportedOrganization(
      this.eventStore,
      organization,
      reportedOrganizationCommands(organization, fact.source, fact.at, update),
      fact,
    );
  }
}
