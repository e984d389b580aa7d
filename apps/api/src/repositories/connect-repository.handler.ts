import { HttpStatus, Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  findWorkspaceByName,
  repositoryDecider,
  repositoryIdFor,
  repositoryStreamId,
  workspaceDecider,
  workspaceDirectoryStreamId,
  type RepositoryMetadata,
} from '#domain';
import { aggregateStream, handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { readRepositoryById, type GitHubAppClients, type InstallationRepository, type Logger } from '#adapters';
import { EVENT_STORE, LOGGER } from '#runtime';
import { ApiError, notFound } from '../common/api-error.js';
import { GITHUB_APP_CLIENTS } from '../github/github-app.module.js';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { GitHubIntegrationService } from '../integrations/github-integration.service.js';
import { OrganizationStreams } from '../organizations/organization-streams.js';
import { Quotas } from '../quotas/quotas.service.js';
import { requireGitHub } from './repository.stream.js';

export interface ConnectedRepositoryView {
  readonly repositoryId: string;
  /** False: connected now for the first time (201); true: an inactive repository made active again (200). */
  readonly reactivated: boolean;
  readonly workspaceId: string;
  readonly position: Position | null;
}

export class ConnectRepositoryCommand extends Command<ConnectedRepositoryView> {
  constructor(
    readonly organizationId: string,
    readonly userId: string,
    readonly githubRepoId: string,
    readonly githubInstallationId: string,
    /** A workspace name; absent: the organization's default workspace. */
    readonly workspace: string | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Nothing in the request is trusted to name an owner: the installation must be the organization's
 * (or be bound now on the caller's own GitHub token), the caller's own token must see the
 * repository through it, and GitHub, asked with that installation's token, must show the repository
 * (`GET /repositories/{id}`). Its name, default branch and visibility come from that answer. An
 * installation or repository the caller cannot reach answers exactly like one that does not exist.
 */
@CommandHandler(ConnectRepositoryCommand)
export class ConnectRepositoryHandler implements ICommandHandler<ConnectRepositoryCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GITHUB_APP_CLIENTS) private readonly github: GitHubAppClients | null,
    private readonly organizations: OrganizationStreams,
    private readonly installations: InstallationBindings,
    private readonly integrations: GitHubIntegrationService,
    private readonly quotas: Quotas,
  ) {}

  async execute({
    organizationId,
    userId,
    githubRepoId,
    githubInstallationId,
    workspace,
    context,
  }: ConnectRepositoryCommand): Promise<ConnectedRepositoryView> {
    await this.quotas.requireRepositoryQuota(organizationId);
    const workspaceId = await this.resolveWorkspace(organizationId, workspace);
    const github = requireGitHub(this.github);
    await this.installations.requireBound(organizationId, userId, githubInstallationId, context);
    // An installation lists for every user who can see any one of its repositories (an outside
    // collaborator on one public repository sees it too): the member must see this repository.
    await this.integrations.requireVisibleRepository(userId, githubInstallationId, githubRepoId);
    const repository = await readRepositoryById(github.forInstallation(githubInstallationId), githubRepoId).catch((error: unknown) => {
      this.logger.warn({ err: error, githubRepoId }, 'GitHub repository lookup failed');
      throw new ApiError(HttpStatus.BAD_GATEWAY, 'github_unavailable', 'GitHub could not be asked about the repository; try again later');
    });
    if (!repository) throw notFound('Repository');
    const result = await handleCommand(
      this.eventStore,
      repositoryStreamId(organizationId, githubRepoId),
      repositoryDecider,
      {
        type: 'ConnectRepository',
        data: {
          repositoryId: repositoryIdFor(context.commandId),
          organizationId,
          githubRepoId,
          githubInstallationId,
          workspaceId,
          metadata: metadataFromGitHub(repository),
          at: new Date().toISOString(),
        },
      },
      context,
    );
    const event = result.events[0]!;
    if (event.type !== 'RepositoryConnected' && event.type !== 'RepositoryReactivated')
      throw new Error(`ConnectRepository decided ${event.type}`);
    return {
      repositoryId: event.data.repositoryId,
      reactivated: event.type === 'RepositoryReactivated',
      workspaceId,
      position: result.position,
    };
  }

  private async resolveWorkspace(organizationId: string, name: string | undefined): Promise<string> {
    if (name === undefined) return (await this.organizations.ensureDefaultWorkspace(organizationId)).defaultWorkspace.workspaceId;
    const { state: directory } = await aggregateStream(this.eventStore, workspaceDirectoryStreamId(organizationId), workspaceDecider);
    const workspaceId = findWorkspaceByName(directory, name);
    if (!workspaceId) throw notFound(`Workspace "${name}"`);
    return workspaceId;
  }
}

/** What the repository stream keeps of GitHub's answer (the original's `RepositoryMetadata`). */
function metadataFromGitHub(repository: InstallationRepository): RepositoryMetadata {
  return {
    fullName: repository.fullName,
    defaultBranch: repository.defaultBranch,
    private: repository.private,
    owner: repository.ownerLogin,
    ...(repository.description ? { description: repository.description } : {}),
    ...(repository.language ? { language: repository.language } : {}),
  };
}
