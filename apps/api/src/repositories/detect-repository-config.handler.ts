import { HttpStatus, Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  configUnreadable,
  recordRepositoryConfig,
  repositoryDecider,
  repositoryStreamId,
  type ConfigDetection,
  type ConfigOutcome,
} from '#domain';
import { handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { detectRepositoryConfig, type GitHubAppClients, type Logger } from '#adapters';
import { EVENT_STORE, LOGGER } from '#runtime';
import { ApiError } from '../common/api-error.js';
import { GITHUB_APP_CLIENTS } from '../github/github-app.module.js';
import { RepositoryQueries } from '#read-models';
import { loadOwnedRepository, requireGitHub, type ConnectedRepository } from './repository.stream.js';

export interface DetectedConfigView {
  readonly exists: boolean;
  readonly path: string | null;
  readonly workspaceId: string | null;
  readonly status: ConfigDetection['status'];
  readonly config: ConfigDetection['config'];
  readonly error: string | null;
  readonly position: Position | null;
}

export class DetectRepositoryConfigCommand extends Command<DetectedConfigView> {
  constructor(
    readonly organizationId: string,
    readonly repositoryId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * One listing of the root and one fetch of the chosen file (the original probed four names in
 * sequence). The outcome, `error` included, is recorded as `RepositoryConfigDetected`.
 */
@CommandHandler(DetectRepositoryConfigCommand)
export class DetectRepositoryConfigHandler implements ICommandHandler<DetectRepositoryConfigCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GITHUB_APP_CLIENTS) private readonly github: GitHubAppClients | null,
    private readonly queries: RepositoryQueries,
  ) {}

  async execute({ organizationId, repositoryId, context }: DetectRepositoryConfigCommand): Promise<DetectedConfigView> {
    const state = await loadOwnedRepository(this.eventStore, this.queries, organizationId, repositoryId);
    const fullName = typeof state.metadata.fullName === 'string' ? state.metadata.fullName : null;
    if (!fullName || !/^[^/]+\/[^/]+$/.test(fullName))
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', 'Repository metadata has no fullName');
    const github = requireGitHub(this.github);
    const [owner, repo] = fullName.split('/') as [string, string];
    const ref = typeof state.metadata.defaultBranch === 'string' ? state.metadata.defaultBranch : undefined;
    let detection: ConfigDetection;
    try {
      detection = await detectRepositoryConfig(github.forInstallation(state.githubInstallationId), {
        owner,
        repo,
        ...(ref ? { ref } : {}),
      });
    } catch (error) {
      // As the original: the failure is recorded (status "error") and the caller gets a 502.
      this.logger.warn({ err: error, repositoryId }, 'config detection failed');
      await this.record(state, configUnreadable(error instanceof Error ? error.message : String(error)), context);
      throw new ApiError(HttpStatus.BAD_GATEWAY, 'github_unavailable', 'GitHub could not be read; the config status is now "error"');
    }
    const result = await this.record(state, detection, context);
    return {
      exists: detection.status === 'configured',
      path: detection.configPath,
      workspaceId: state.workspaceId,
      status: detection.status,
      config: detection.config,
      error: detection.error,
      position: result.position,
    };
  }

  private record(state: ConnectedRepository, outcome: ConfigOutcome, context: CommandContext) {
    const command = recordRepositoryConfig(state.organizationId, outcome, new Date().toISOString());
    return handleCommand(
      this.eventStore,
      repositoryStreamId(state.organizationId, state.githubRepoId),
      repositoryDecider,
      command,
      context,
    );
  }
}
