import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '#event-store';
import { InstallationBindings, type BindOutcome } from './installation-bindings.js';

export class BindInstallationCommand extends Command<BindOutcome> {
  constructor(
    readonly organizationId: string,
    readonly userId: string,
    readonly installationId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** A member binds an installation their own GitHub token lists now; any other id is a 404. */
@CommandHandler(BindInstallationCommand)
export class BindInstallationHandler implements ICommandHandler<BindInstallationCommand> {
  constructor(private readonly bindings: InstallationBindings) {}

  execute({ organizationId, userId, installationId, context }: BindInstallationCommand): Promise<BindOutcome> {
    return this.bindings.bindOnUserToken(organizationId, userId, installationId, 'member_token', context);
  }
}
