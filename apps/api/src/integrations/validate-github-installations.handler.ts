import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { GitHubInstallation } from '#domain';
import type { CommandContext, EventStore, Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { GitHubIntegrationService } from './github-integration.service.js';
import { sendToIntegrationStream } from './integration.stream.js';

export interface ValidatedInstallations {
  readonly added: number;
  readonly removed: number;
  readonly total: number;
  readonly position: Position | null;
}

export class ValidateGitHubInstallationsCommand extends Command<ValidatedInstallations> {
  constructor(
    readonly userId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * `integration.github.validate`: re-reads the installations with the user's token. The sealed
 * token comes from the stream itself (the read model has none), so a validation right after
 * connecting never waits for a projection.
 */
@CommandHandler(ValidateGitHubInstallationsCommand)
export class ValidateGitHubInstallationsHandler implements ICommandHandler<ValidateGitHubInstallationsCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly github: GitHubIntegrationService,
  ) {}

  async execute({ userId, context }: ValidateGitHubInstallationsCommand): Promise<ValidatedInstallations> {
    const { integration, token } = await this.github.openToken(userId);
    const installations = await this.github.readInstallations(token);
    const at = new Date().toISOString();
    const outcome = await sendToIntegrationStream(
      this.eventStore,
      userId,
      {
        type: 'ValidateGitHubInstallations',
        data: {
          userId,
          integrationId: integration.integrationId,
          installations: installations.map((i): GitHubInstallation => ({ ...i, lastValidatedAt: at })),
          at,
        },
      },
      context,
    );
    const validated = outcome.events.find((e) => e.type === 'GitHubInstallationsValidated')!;
    return {
      added: validated.data.addedInstallationIds.length,
      removed: validated.data.removedInstallationIds.length,
      total: validated.data.installations.length,
      position: outcome.position,
    };
  }
}
