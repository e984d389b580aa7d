import { LOGGER, EVENT_STORE } from '#runtime';
import type { Logger } from '#adapters';
import type { EventStore } from '#event-store';
import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { v5 as uuidv5 } from 'uuid';
import {
  DomainError,
  INGESTION_JOB_KIND,
  ingestionJobName,
  ingestionTrigger,
  type IngestionJobInput,
  findWorkspaceByName,
  jobDecider,
  jobStreamId,
  repositoryDecider,
  repositoryStreamId,
  workspaceDecider,
  workspaceDirectoryStreamId,
  type ConfigDetection,
  type RepositoryCommand,
  type RepositoryMetadata,
  type RepositoryState,
} from '#domain';
import { handleCommand, type CommandContext, aggregateStream } from '#event-store';
import { detectRepositoryConfig, readRepositoryById, type GitHubAppClients, type InstallationRepository, type Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { GITHUB_APP_CLIENTS } from '../github/github-app.module.js';
import { OrgAccess } from '../auth/org-access.js';
import { ApiError, notFound } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { GitHubIntegrationService } from '../integrations/github-integration.service.js';
import { Quotas } from '../quotas/quotas.service.js';
import { RateLimit } from '../rate-limits/rate-limit.guard.js';
import { OrganizationWriter } from '../organizations/organization-writer.js';
import { ConnectRepositoryBody, ListRepositoriesQuery } from './repositories.dto.js';
import { RepositoryQueries, toRepositoryView } from './repository.queries.js';

const REINDEX_JOB_NAMESPACE = '0d7e3f52-6a1b-4c89-b0f4-9e2a5c7d3b18';
/** The reindex job id of a command: a retry with the same Idempotency-Key names the same job. */
export const reindexJobIdFor = (commandId: string) => uuidv5(`reindex:${commandId}`, REINDEX_JOB_NAMESPACE);

/**
 * `repository.*` of the original. Commands are decided on the repository's own stream
 * (`repository-<githubRepoId>`); the read model only maps the id in the URL to that stream, and the
 * stream's state decides ownership again (another organization's repository is a 404).
 * Routes that take `{id}` accept `?minPosition=` to find a repository connected a moment ago.
 */
@Controller('v1/orgs/:org/repositories')
export class RepositoriesController {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(GITHUB_APP_CLIENTS) private readonly github: GitHubAppClients | null,
    private readonly queries: RepositoryQueries,
    private readonly access: OrgAccess,
    private readonly organizations: OrganizationWriter,
    private readonly installations: InstallationBindings,
    private readonly quotas: Quotas,
    private readonly integrations: GitHubIntegrationService,
  ) {}

  @Get()
  @ReadsFrom('repositories')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Query() query: ListRepositoriesQuery) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    return this.queries.list(organizationId, query.includeInactive);
  }

  @Get(':id')
  @ReadsFrom('repositories')
  async get(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('id') id: string, @Query() _query: ConsistentQuery) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    return toRepositoryView(await this.queries.row(organizationId, id));
  }

  /**
   * 201 for a new repository, 200 for the reactivation of an inactive one; 409 when already active.
   * Nothing in the body is trusted to name an owner: the installation must be the organization's
   * (or be bound now on the caller's own GitHub token), the caller's own token must see the
   * repository through it, and GitHub, asked with that installation's token, must show the
   * repository (`GET /repositories/{id}`). Its name, default
   * branch and visibility come from that answer. An installation or repository the caller cannot
   * reach answers exactly like one that does not exist.
   */
  @Post()
  @RateLimit('connect')
  async connect(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Body() body: ConnectRepositoryBody,
    @CommandId() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { organizationId, userId } = await this.access.requireOrg(principal, org);
    await this.quotas.requireRepositoryQuota(organizationId);
    const workspaceId = await this.resolveWorkspace(organizationId, body.workspace);
    const github = this.requireGitHub();
    await this.installations.requireBound(organizationId, userId, body.githubInstallationId, context);
    // An installation lists for every user who can see any one of its repositories (an outside
    // collaborator on one public repository sees it too): the member must see this repository.
    await this.integrations.requireVisibleRepository(userId, body.githubInstallationId, body.githubRepoId);
    const repository = await readRepositoryById(github.forInstallation(body.githubInstallationId), body.githubRepoId).catch((error: unknown) => {
      this.logger.warn({ err: error, githubRepoId: body.githubRepoId }, 'GitHub repository lookup failed');
      throw new ApiError(HttpStatus.BAD_GATEWAY, 'github_unavailable', 'GitHub could not be asked about the repository; try again later');
    });
    if (!repository) throw notFound('Repository');
    const command: RepositoryCommand = {
      type: 'ConnectRepository',
      data: {
        repositoryId: uuidv5(`repository:${context.commandId}`, REINDEX_JOB_NAMESPACE),
        organizationId,
        githubRepoId: body.githubRepoId,
        githubInstallationId: body.githubInstallationId,
        workspaceId,
        metadata: metadataFromGitHub(repository),
        at: new Date().toISOString(),
      },
    };
    const result = await handleCommand(this.eventStore, repositoryStreamId(organizationId, body.githubRepoId), repositoryDecider, command, context);
    const event = result.events[0]!;
    response.status(event.type === 'RepositoryConnected' ? HttpStatus.CREATED : HttpStatus.OK);
    return { repositoryId: (event.data as { repositoryId: string }).repositoryId, reactivated: event.type === 'RepositoryReactivated', workspaceId, position: result.position };
  }

  /**
   * One listing of the root and one fetch of the chosen file (the original probed four names in
   * sequence). The outcome, `error` included, is recorded as `RepositoryConfigDetected`.
   */
  @Post(':id/detect-config')
  @HttpCode(200)
  @ReadsFrom('repositories')
  async detectConfig(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('id') id: string, @Query() _query: ConsistentQuery, @CommandId() context: CommandContext) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    const state = await this.load(organizationId, id);
    const fullName = typeof state.metadata.fullName === 'string' ? state.metadata.fullName : null;
    if (!fullName || !/^[^/]+\/[^/]+$/.test(fullName)) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', 'Repository metadata has no fullName');
    const github = this.requireGitHub();
    const [owner, repo] = fullName.split('/') as [string, string];
    const ref = typeof state.metadata.defaultBranch === 'string' ? state.metadata.defaultBranch : undefined;
    let detection: ConfigDetection;
    try {
      detection = await detectRepositoryConfig(github.forInstallation(state.githubInstallationId), { owner, repo, ...(ref ? { ref } : {}) });
    } catch (error) {
      // As the original: the failure is recorded (status "error") and the caller gets a 502.
      this.logger.warn({ err: error, repositoryId: id }, 'config detection failed');
      await this.record(state, organizationId, { status: 'error', configPath: null, config: null, error: error instanceof Error ? error.message : String(error) }, context);
      throw new ApiError(HttpStatus.BAD_GATEWAY, 'github_unavailable', 'GitHub could not be read; the config status is now "error"');
    }
    const result = await this.record(state, organizationId, detection, context);
    return { exists: detection.status === 'configured', path: detection.configPath, workspaceId: state.workspaceId, status: detection.status, config: detection.config, error: detection.error, position: result.position };
  }

  /**
   * 202 at once: `JobQueued` on the job's stream and `ReindexRequested` on the repository's; the
   * ingestion reactor does the work. The repository holds the active job id, so a second request
   * while that job is queued or running is a 409; whether it ended is read from the job's own stream.
   *
   * Two streams, two appends, in this order: the job first (its id derived from the command id),
   * then the repository event. A crash in between leaves a queued job the repository does not
   * hold yet; a retry with the same Idempotency-Key derives the same job id, finds the job already
   * appended (a replay, nothing duplicated) and completes the repository append. If the repository
   * append is refused because another reindex won the race, the job just queued is cancelled.
   */
  @Post(':id/reindex')
  @HttpCode(202)
  @ReadsFrom('repositories')
  @RateLimit('reindex')
  async reindex(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('id') id: string, @Query() _query: ConsistentQuery, @CommandId() context: CommandContext) {
    const { organizationId, userId } = await this.access.requireOrg(principal, org);
    const state = await this.load(organizationId, id);
    const jobId = reindexJobIdFor(context.commandId);
    const at = new Date().toISOString();
    const request = async (): Promise<RepositoryCommand> => ({
      type: 'RequestReindex',
      data: { organizationId, jobId, requestedBy: userId, activeJob: await this.jobStatus(state.activeJobId), at },
    });
    // Refuse before queueing anything when the check already fails.
    const check = await request();
    repositoryDecider.decide(check, state);
    await this.quotas.requireQueuedJobQuota(organizationId);

    const fullName = typeof state.metadata.fullName === 'string' ? state.metadata.fullName : state.githubRepoId;
    const input: IngestionJobInput = {
      kind: INGESTION_JOB_KIND,
      source: 'manual',
      repositoryId: state.repositoryId,
      githubRepoId: state.githubRepoId,
      githubInstallationId: state.githubInstallationId,
      repoFullName: fullName,
      ref: typeof state.metadata.defaultBranch === 'string' ? state.metadata.defaultBranch : null,
      afterSha: null,
      deliveryId: null,
      changedFileCount: null,
      fallbackStore: null,
    };
    const queued = await handleCommand(
      this.eventStore,
      jobStreamId(jobId),
      jobDecider,
      {
        type: 'QueueJob',
        data: { jobId, organizationId, workspaceId: state.workspaceId!, repositoryId: state.repositoryId, name: ingestionJobName('manual', fullName), trigger: ingestionTrigger('manual'), triggeredBy: userId, input, at },
      },
      { ...context, commandId: `${context.commandId}:job` },
    );
    try {
      await handleCommand(this.eventStore, repositoryStreamId(organizationId, state.githubRepoId), repositoryDecider, await request(), { ...context, commandId: `${context.commandId}:repository` });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'conflict') {
        await handleCommand(this.eventStore, jobStreamId(jobId), jobDecider, { type: 'CancelJob', data: { at: new Date().toISOString(), reason: 'reindex_conflict' } }, { ...context, commandId: `${context.commandId}:cancel` });
      }
      throw error;
    }
    return { jobId, workspaceId: state.workspaceId, position: queued.position };
  }

  private record(state: Exclude<RepositoryState, { status: 'none' }>, organizationId: string, detection: Omit<ConfigDetection, 'configPath'> & { configPath: string | null }, context: CommandContext) {
    const { status, configPath, config, error } = detection;
    return handleCommand(
      this.eventStore,
      repositoryStreamId(organizationId, state.githubRepoId),
      repositoryDecider,
      { type: 'RecordRepositoryConfig', data: { organizationId, status, configPath, config: config as Record<string, unknown> | null, error, at: new Date().toISOString() } },
      context,
    );
  }

  /** The read model maps the id to the stream; the stream (authoritative) says whose it is. */
  private async load(organizationId: string, id: string): Promise<Exclude<RepositoryState, { status: 'none' }>> {
    const row = await this.queries.row(organizationId, id);
    const state = (await aggregateStream(this.eventStore, repositoryStreamId(organizationId, row.github_repo_id), repositoryDecider)).state;
    if (state.status === 'none' || state.organizationId !== organizationId || state.repositoryId !== id) throw notFound('Repository');
    return state;
  }

  private requireGitHub(): GitHubAppClients {
    if (!this.github) throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'github_not_configured', 'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are not set');
    return this.github;
  }

  private async jobStatus(jobId: string | null) {
    if (jobId === null) return null;
    const job = (await aggregateStream(this.eventStore, jobStreamId(jobId), jobDecider)).state;
    return { jobId, status: job.status };
  }

  private async resolveWorkspace(organizationId: string, name: string | undefined): Promise<string> {
    if (name === undefined) return (await this.organizations.ensureDefaultWorkspace(organizationId)).defaultWorkspace.workspaceId;
    const directory = (await aggregateStream(this.eventStore, workspaceDirectoryStreamId(organizationId), workspaceDecider)).state;
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
