import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { reportedMembershipCommands } from '#domain';
import { recordReportedOrganization, sendToOrganization } from '#application';
import type { CommandContext, EventStore, Position } from '#event-store';
import type { OrganizationDirectory, OrgRole } from '#adapters';
import { EVENT_STORE } from '#runtime';
import { ORGANIZATION_DIRECTORY, callDirectory } from './organization-directory.js';

export class AddMemberCommand extends Command<{ role: OrgRole; position: Position | null }> {
  constructor(
    readonly organizationId: string,
    readonly userId: string,
    readonly role: OrgRole,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Adds the user (or changes their role), in Clerk first when configured, then records Clerk's answer. */
@CommandHandler(AddMemberCommand)
export class AddMemberHandler implements ICommandHandler<AddMemberCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(ORGANIZATION_DIRECTORY) private readonly directory: OrganizationDirectory,
  ) {}

  async execute({ organizationId, userId, role, context }: AddMemberCommand): Promise<{ role: OrgRole; position: Position | null }> {
    const external = await callDirectory(() => this.directory.setMembership({ organizationId, userId, role }));
    const at = new Date().toISOString();
    if (external) {
      const fact = { commandId: context.commandId, source: 'console', at, userId: context.userId } as const;
      const recorded = await recordReportedOrganization(
        this.eventStore,
        external.organization,
        reportedMembershipCommands(external, fact.source, at),
        fact,
      );
      return { role: external.role, position: recorded.position };
    }
    const added = await sendToOrganization(
      this.eventStore,
      organizationId,
      { type: 'AddMember', data: { organizationId, userId, role, source: 'console', at } },
      context,
    );
    return { role, position: added.position };
  }
}
