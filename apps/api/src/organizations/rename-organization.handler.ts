import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { reportedOrganizationCommands } from '#domain';
import { loadOrganization, recordReportedOrganization, sendToOrganization } from '#application';
import type { CommandContext, EventStore, Position } from '#event-store';
import type { OrganizationDirectory } from '#adapters';
import { EVENT_STORE } from '#runtime';
import { ORGANIZATION_DIRECTORY, callDirectory } from './organization-directory.js';

export class RenameOrganizationCommand extends Command<{ name: string; position: Position | null }> {
  constructor(
    readonly organizationId: string,
    readonly name: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Renaming to the current name calls nobody and appends nothing. */
@CommandHandler(RenameOrganizationCommand)
export class RenameOrganizationHandler implements ICommandHandler<RenameOrganizationCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(ORGANIZATION_DIRECTORY) private readonly directory: OrganizationDirectory,
  ) {}

  async execute({ organizationId, name, context }: RenameOrganizationCommand): Promise<{ name: string; position: Position | null }> {
    const current = await loadOrganization(this.eventStore, organizationId);
    if (current.state.organizationId !== null && current.state.name === name) return { name, position: current.position };
    const external = await callDirectory(() => this.directory.renameOrganization(organizationId, name));
    const at = new Date().toISOString();
    if (external) {
      // Clerk answered with the whole organization: recorded like any Clerk fact (known or not yet).
      const fact = { commandId: context.commandId, source: 'console', at, userId: context.userId } as const;
      const recorded = await recordReportedOrganization(
        this.eventStore,
        external,
        reportedOrganizationCommands(external, 'console', at, true),
        fact,
      );
      return { name: recorded.name, position: recorded.position };
    }
    const renamed = await sendToOrganization(
      this.eventStore,
      organizationId,
      { type: 'RenameOrganization', data: { organizationId, name, source: 'console', at } },
      context,
    );
    return { name: renamed.state.name, position: renamed.position };
  }
}
