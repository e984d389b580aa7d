import { TOKEN_CIPHER, LOGGER, EVENT_STORE, type Cipher } from '#runtime';
import type { Logger } from '#adapters';
import type { EventStore } from '#event-store';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { findGitHubIntegration, integrationDecider, integrationStreamId, type UserIntegrations } from '#domain';
import { aggregateStream } from '#event-store';
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
import { ApiError, notFound } from '../common/api-error.js';

export const GITHUB_INSTALLATIONS = Symbol('GITHUB_INSTALLATIONS');

/**
 * The user's GitHub access as their own integration stream holds it: the sealed token is opened
 * here only to call GitHub, with GitHub's failures answered in the API's shape. The commands that
 * change the stream are the `*.handler.ts` files beside this one.
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
      this.logger.error(
        { err: error, integrationId: integration.integrationId },
        'stored GitHub token cannot be opened: was ENCRYPTION_KEY changed?',
      );
      throw new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'github_reconnect_required',
        'The stored GitHub token cannot be read; connect GitHub again',
      );
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
      throw asGitHubApiError(error);
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

  async readInstallations(token: string): Promise<GitHubUserInstallation[]> {
    try {
      return await this.installations.listUserInstallations(token);
    } catch (error) {
      if (error instanceof GitHubUnavailableError) this.logger.warn({ err: error }, 'GitHub unavailable during installation validation');
      throw asGitHubApiError(error);
    }
  }
}

/**
 * What a call with the user's stored GitHub token answers when GitHub refuses the token (422
 * `github_token_rejected`) or cannot be reached (503 `github_unavailable`); any other error as it is.
 */
export function asGitHubApiError(error: unknown): unknown {
  if (error instanceof GitHubTokenRejectedError)
    return new ApiError(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'github_token_rejected',
      'GitHub rejected the stored token (revoked or expired); connect GitHub again',
    );
  if (error instanceof GitHubUnavailableError)
    return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'github_unavailable', 'GitHub could not be reached; try again later');
  return error;
}
