import { TOKEN_CIPHER, LOGGER, EVENT_STORE, type Cipher } from '#runtime';
import type { Logger } from '#adapters';
import type { EventStore } from '#event-store';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  DomainError,
  findGitHubIntegration,
  integrationDecider,
  integrationStreamId,
  type GitHubInstallation,
  type IntegrationCommand,
  type IntegrationEvent,
  type UserIntegrations,
} from '#domain';
import { handleCommand, type CommandContext, type CommandResult, aggregateStream } from '#event-store';
import {
  GitHubInstallationNotVisibleError,
  GitHubTokenRejectedError,
  GitHubUnavailableError,
  InProcessCache,
  SingleFlightCache,
  TokenDecryptionError,
  UserInstallationRepositories,
  type GitHubInstallationsSource,
  type GitHubUserInstallation,
  type InstallationRepository,
} from '#adapters';
import { ApiError, badRequest, notFound } from '../common/api-error.js';

export const GITHUB_INSTALLATIONS = Symbol('GITHUB_INSTALLATIONS');

/** What GitHub's OAuth (and the installation listing that follows it) produced, in clear. */
export interface GitHubOAuthResult {
  readonly accessToken: string;
  readonly refreshToken?: string | null;
  readonly tokenExpiresAt?: string | null;
  readonly scopes?: readonly string[];
  readonly installations: readonly GitHubUserInstallation[];
}

/**
 * The write side of `integration.*`: every command goes to the caller's own integration stream.
 * Tokens are sealed here, before a command exists, and opened here only to call GitHub.
 */
@Injectable()
export class GitHubIntegrationService {
  constructor(
    @Inject(TOKEN_CIPHER) private readonly cipher: Cipher,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(GITHUB_INSTALLATIONS) private readonly installations: GitHubInstallationsSource,
  ) {
    // Per process: each entry is one user's view, so sharing it across processes buys little.
    this.userRepositories = new UserInstallationRepositories(installations, new SingleFlightCache(new InProcessCache(1_000)));
  }

  private readonly userRepositories: UserInstallationRepositories;

  /**
   * `integration.github.storeOAuthResult`, for the OAuth callback: one GitHub integration per
   * user, so a second OAuth round replaces the token and installations under the same id.
   */
  async storeOAuthResult(userId: string, result: GitHubOAuthResult, context: CommandContext): Promise<{ id: string; created: boolean; position: string | null }> {
    const at = new Date().toISOString();
    const outcome = await this.send(
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

  /**
   * `integration.github.validate`: re-reads the installations with the user's token. The sealed
   * token comes from the stream itself (the read model has none), so a validation right after
   * connecting never waits for a projection.
   */
  async validate(userId: string, context: CommandContext): Promise<{ added: number; removed: number; total: number; position: string | null }> {
    const { integration, token } = await this.openToken(userId);
    const installations = await this.readInstallations(token);
    const at = new Date().toISOString();
    const outcome = await this.send(
      userId,
      {
        type: 'ValidateGitHubInstallations',
        data: { userId, integrationId: integration.integrationId, installations: installations.map((i): GitHubInstallation => ({ ...i, lastValidatedAt: at })), at },
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

  /**
   * The user's own GitHub token, opened from their stream (no read-model lag): 404 when GitHub is
   * not connected, 422 when the sealed token can no longer be opened.
   */
  async openToken(userId: string): Promise<{ integration: NonNullable<ReturnType<typeof findGitHubIntegration>>; token: string }> {
    const integration = findGitHubIntegration(await this.load(userId));
    if (!integration || integration.status !== 'active') throw new ApiError(HttpStatus.NOT_FOUND, 'not_found', 'GitHub is not connected');
    try {
      return { integration, token: this.cipher.decrypt(integration.encryptedAccessToken) };
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      this.logger.error({ err: error, integrationId: integration.integrationId }, 'stored GitHub token cannot be opened: was ENCRYPTION_KEY changed?');
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'github_reconnect_required', 'The stored GitHub token cannot be read; connect GitHub again');
    }
  }

  /** The installations the user's token sees right now (`GET /user/installations`), GitHub's failures as 422/503. */
  async currentInstallations(userId: string): Promise<GitHubUserInstallation[]> {
    return this.readInstallations((await this.openToken(userId)).token);
  }

  /**
   * The repositories one installation shows this user's own GitHub token (GitHub intersects the
   * installation's repositories with the user's access). `fresh` skips the short cache: a decision
   * that hands repository data to an organization must not rest on access GitHub has since withdrawn.
   * An installation the token does not see is a 404, like an unknown one.
   */
  async visibleRepositories(userId: string, installationId: string, options: { fresh?: boolean } = {}): Promise<InstallationRepository[]> {
    const { token } = await this.openToken(userId);
    try {
      return await this.userRepositories.list(token, installationId, options);
    } catch (error) {
      if (error instanceof GitHubInstallationNotVisibleError) throw notFound('Installation');
      if (error instanceof GitHubTokenRejectedError) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'github_token_rejected', 'GitHub rejected the stored token (revoked or expired); connect GitHub again');
      if (error instanceof GitHubUnavailableError) throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'github_unavailable', 'GitHub could not be reached; try again later');
      throw error;
    }
  }

  /** GitHub's current description of a repository the user sees through the installation, or a 404. */
  async requireVisibleRepository(userId: string, installationId: string, githubRepoId: string): Promise<InstallationRepository> {
    const visible = await this.visibleRepositories(userId, installationId, { fresh: true });
    const repository = visible.find((candidate) => candidate.id === githubRepoId);
    if (!repository) throw notFound('Repository');
    return repository;
  }

  /** The user's integrations as their stream has them now (no read-model lag). */
  async load(userId: string): Promise<UserIntegrations> {
    return (await aggregateStream(this.eventStore, integrationStreamId(userId), integrationDecider)).state;
  }

  async send(userId: string, command: IntegrationCommand, context: CommandContext): Promise<CommandResult<IntegrationEvent>> {
    try {
      return await handleCommand(this.eventStore, integrationStreamId(userId), integrationDecider, command, context);
    } catch (error) {
      // A rule the DTO checks too, hit by a request that got past it: the same 400 shape, naming the field.
      const field = error instanceof DomainError && error.code === 'invalid' ? error.details?.field : undefined;
      if (typeof field === 'string') throw badRequest(field, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  async readInstallations(token: string): Promise<GitHubUserInstallation[]> {
    try {
      return await this.installations.listUserInstallations(token);
    } catch (error) {
      if (error instanceof GitHubTokenRejectedError) {
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'github_token_rejected', 'GitHub rejected the stored token (revoked or expired); connect GitHub again');
      }
      if (error instanceof GitHubUnavailableError) {
        this.logger.warn({ err: error }, 'GitHub unavailable during installation validation');
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'github_unavailable', 'GitHub could not be reached; try again later');
      }
      throw error;
    }
  }
}
