import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { CommandContext, EventStore, Position } from '#event-store';
import type { GitHubUserInstallation } from '#adapters';
import { EVENT_STORE, TOKEN_CIPHER, type Cipher } from '#runtime';
import { sendToIntegrationStream } from './integration.stream.js';

/** What GitHub's OAuth (and the installation listing that follows it) produced, in clear. */
export interface GitHubOAuthResult {
  readonly accessToken: string;
  readonly refreshToken?: string | null;
  readonly tokenExpiresAt?: string | null;
  readonly scopes?: readonly string[];
  readonly installations: readonly GitHubUserInstallation[];
}

export interface StoredGitHubIntegration {
  readonly id: string;
  readonly created: boolean;
  readonly position: Position | null;
}

/** `integration.github.storeOAuthResult`: one GitHub integration per user, so a second OAuth round replaces the token and installations under the same id. */
export class StoreGitHubOAuthResultCommand extends Command<StoredGitHubIntegration> {
  constructor(
    readonly userId: string,
    readonly result: GitHubOAuthResult,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Tokens are sealed here, before a command exists: the log never holds them in clear. */
@CommandHandler(StoreGitHubOAuthResultCommand)
export class StoreGitHubOAuthResultHandler implements ICommandHandler<StoreGitHubOAuthResultCommand> {
  constructor(
    @Inject(TOKEN_CIPHER) private readonly cipher: Cipher,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
  ) {}

  async execute({ userId, result, context }: StoreGitHubOAuthResultCommand): Promise<StoredGitHubIntegration> {
    const at = new Date().toISOString();
    const outcome = await sendToIntegrationStream(
      this.eventStore,
      userId,
      {
        type: 'ConnectGitHubIntegration',
        data: {
          userId,
          integrationId: randomUUID(),
          encryptedAccessToken: this.cipher.encrypt(result.accessToken),
          encryptedRefreshToken: result.refreshToken ? this.cipher.encrypt(result.refreshToken) : null,
          tokenExpiresAt: result.tokenExpiresAt ? new Date(result.tokenExpiresAt).toISOString() : null,
          scopes: result.scopes ?? [],
          installations: result.installations.map((i) => ({ ...i, lastValidatedAt: at })),
          at,
        },
      },
      context,
    );
    const connected = outcome.events.find((e) => e.type === 'GitHubIntegrationConnected')!;
    return { id: connected.data.integrationId, created: !connected.data.reconnected, position: outcome.position };
  }
}
