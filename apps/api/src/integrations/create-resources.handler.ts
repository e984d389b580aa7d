import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { findGitHubIntegration, findResourceByRepo } from '#domain';
import type { CommandContext, EventStore, Position } from '#event-store';
import type { InstallationRepository } from '#adapters';
import { EVENT_STORE } from '#runtime';
import { notFound } from '../common/api-error.js';
import { GitHubIntegrationService } from './github-integration.service.js';
import type { ResourceView } from '#read-models';
import { gitHubId, type ResourceInput } from './integrations.dto.js';
import { sendToIntegrationStream } from './integration.stream.js';

export interface CreatedResources {
  readonly resources: ReadonlyArray<ResourceView & { created: boolean }>;
  readonly created: number;
  readonly position: Position | null;
}

export class CreateResourcesCommand extends Command<CreatedResources> {
  constructor(
    readonly userId: string,
    readonly integrationId: string,
    readonly resources: readonly ResourceInput[],
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * One or up to 100 repositories in one append; a repository the integration already has is
 * skipped and answered with its existing resource (`created: false`), so a retry is harmless.
 */
@CommandHandler(CreateResourcesCommand)
export class CreateResourcesHandler implements ICommandHandler<CreateResourcesCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly github: GitHubIntegrationService,
  ) {}

  async execute({ userId, integrationId, resources: requested, context }: CreateResourcesCommand): Promise<CreatedResources> {
    const visible = await this.visibleRepositories(userId, integrationId, new Set(requested.map((r) => gitHubId(r.installationId))));
    // What GitHub says about each repository, not what the request says: a repository id the
    // user cannot see through that installation is not found, like one that does not exist.
    // Where nothing was verified (not the caller's active integration, an installation it does
    // not list), the decider refuses the command, so the request's own fields never reach the log.
    const resources = requested.map((r) => {
      const installationId = gitHubId(r.installationId);
      const repoId = gitHubId(r.repoId);
      const seen = visible?.get(installationId);
      const fromRequest = {
        resourceId: randomUUID(),
        installationId,
        repoId,
        repoName: r.repoName,
        repoFullName: r.repoFullName,
        defaultBranch: r.defaultBranch,
        isPrivate: r.isPrivate,
        isArchived: r.isArchived,
      };
      if (!seen) return fromRequest;
      const repository = seen.get(repoId);
      if (!repository) throw notFound(`Repository ${repoId}`);
      return {
        ...fromRequest,
        repoName: repository.name,
        repoFullName: repository.fullName,
        defaultBranch: repository.defaultBranch,
        isPrivate: repository.private,
        isArchived: repository.archived,
      };
    });
    const result = await sendToIntegrationStream(
      this.eventStore,
      userId,
      { type: 'CreateResources', data: { userId, integrationId, resources, at: new Date().toISOString() } },
      context,
    );
    const created = new Set(result.events.flatMap((e) => (e.type === 'ResourcesCreated' ? e.data.resources.map((r) => r.resourceId) : [])));
    // The existing resources' ids come from the stream itself: the read model may not have them yet.
    const state = await this.github.load(userId);
    const seen = new Set<string>();
    const views: Array<ResourceView & { created: boolean }> = [];
    for (const { repoId } of resources) {
      const resource = findResourceByRepo(state, integrationId, repoId);
      if (!resource || seen.has(resource.resourceId)) continue;
      seen.add(resource.resourceId);
      views.push({
        id: resource.resourceId,
        integrationId: resource.integrationId,
        provider: 'github',
        type: 'repository',
        installationId: resource.installationId,
        repoId: resource.repoId,
        repoName: resource.repoName,
        repoFullName: resource.repoFullName,
        defaultBranch: resource.defaultBranch,
        isPrivate: resource.isPrivate,
        isArchived: resource.isArchived,
        createdAt: resource.createdAt,
        created: created.has(resource.resourceId),
      });
    }
    return { resources: views, created: created.size, position: result.position };
  }

  /**
   * The repositories each listed installation shows the caller's own GitHub token (read now), or
   * null when `integrationId` is not the caller's active GitHub integration (the decider refuses).
   */
  private async visibleRepositories(
    userId: string,
    integrationId: string,
    installationIds: ReadonlySet<string>,
  ): Promise<Map<string, Map<string, InstallationRepository>> | null> {
    const integration = findGitHubIntegration(await this.github.load(userId));
    if (!integration || integration.integrationId !== integrationId || integration.status !== 'active') return null;
    const visible = new Map<string, Map<string, InstallationRepository>>();
    for (const installationId of installationIds) {
      if (!integration.installations.some((installation) => installation.id === installationId)) continue;
      const repositories = await this.github.visibleRepositories(userId, installationId, { fresh: true });
      visible.set(installationId, new Map(repositories.map((r) => [r.id, r])));
    }
    return visible;
  }
}
