import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { createOrganization, type RecordedOrganization } from '#application';
import type { CommandContext, EventStore } from '#event-store';
import type { OrganizationDirectory } from '#adapters';
import { EVENT_STORE } from '#runtime';
import { ORGANIZATION_DIRECTORY, callDirectory } from './organization-directory.js';

export class CreateOrganizationCommand extends Command<RecordedOrganization> {
  constructor(
    readonly userId: string,
    readonly slug: string,
    readonly name: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** 409 when the slug is taken (by our store without Clerk, by Clerk with it) or has history. */
@CommandHandler(CreateOrganizationCommand)
export class CreateOrganizationHandler implements ICommandHandler<CreateOrganizationCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(ORGANIZATION_DIRECTORY) private readonly directory: OrganizationDirectory,
  ) {}

  async execute({ userId, slug, name, context }: CreateOrganizationCommand): Promise<RecordedOrganization> {
    // Only the directory throws the directory's errors, and it is called before anything is appended.
    return callDirectory(() => createOrganization(this.eventStore, this.directory, { slug, name, userId }, context));
  }
}
