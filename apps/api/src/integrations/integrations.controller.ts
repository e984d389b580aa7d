import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { findGitHubIntegration, findResourceByRepo, type ResourcesCreated } from '#domain';
import type { CommandContext } from '#event-store';
import type { InstallationRepository, Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { requireSessionPrincipal } from '../api-keys/api-key.authenticator.js';
import { badRequest, notFound } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { GitHubIntegrationService } from './github-integration.service.js';
import { IntegrationQueries } from './integration.queries.js';
import { CreateResourcesBody, gitHubId, type ResourceView } from './integrations.dto.js';
import { jsonOrNull } from './json-null.js';

/**
 * `account.integrations.*` and `integration.github.*` / `integration.resources.*`: the caller's own
 * integrations. Commands go to the caller's integration stream, so another user's integration or
 * resource is simply not found there (404), without an ownership query. API keys are refused:
 * a leaked key must not connect, disconnect or read a user's GitHub access.
 */
@Controller('v1/me/integrations')
export class IntegrationsController {
  constructor(
    private readonly service: GitHubIntegrationService,
    private readonly queries: IntegrationQueries,
  ) {}

  @Get()
  @ReadsFrom('integrations')
  async list(@CurrentPrincipal() principal: Principal, @Query() _query: ConsistentQuery) {
    return this.queries.list(requireSessionPrincipal(principal).userId);
  }

  /** The user's GitHub integration with its installations, or JSON `null` when there is none. */
  @Get('github')
  @ReadsFrom('integrations')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async github(@CurrentPrincipal() principal: Principal, @Query() _query: ConsistentQuery) {
    return jsonOrNull(await this.queries.github(requireSessionPrincipal(principal).userId));
  }

  @Post('github/validate')
  @HttpCode(200)
  async validate(@CurrentPrincipal() principal: Principal, @CommandId() context: CommandContext) {
    return this.service.validate(requireSessionPrincipal(principal).userId, context);
  }

  @Delete(':id')
  @HttpCode(200)
  async disconnect(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @CommandId() context: CommandContext) {
    const { userId } = requireSessionPrincipal(principal);
    const result = await this.service.send(userId, { type: 'DisconnectIntegration', data: { userId, integrationId: id, at: new Date().toISOString() } }, context);
    return { success: true, position: result.position };
  }

  @Get(':id/resources')
  @ReadsFrom('integrations')
  async resources(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() _query: ConsistentQuery) {
    return this.queries.resources(requireSessionPrincipal(principal).userId, id);
  }

  /**
   * One or up to 100 repositories in one append; a repository the integration already has is
   * skipped and answered with its existing resource (`created: false`), so a retry is harmless.
   */
  @Post(':id/resources')
  @HttpCode(201)
  async createResources(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: CreateResourcesBody, @CommandId() context: CommandContext) {
    const { userId } = requireSessionPrincipal(principal);
    // A request that contradicts itself is bad input, whatever GitHub says afterwards.
    body.resources.forEach((r, i) => {
      if (r.repoFullName.split('/')[1] !== r.repoName) throw badRequest(`resources.${i}.repoName`, 'repoName must be the name part of repoFullName');
    });
    const visible = await this.visibleRepositories(userId, id, new Set(body.resources.map((r) => gitHubId(r.installationId))));
    // What GitHub says about each repository, not what the request says: a repository id the
    // user cannot see through that installation is not found, like one that does not exist.
    // Where nothing was verified (not the caller's active integration, an installation it does
    // not list), the decider refuses the command, so the request's own fields never reach the log.
    const resources = body.resources.map((r) => {
      const installationId = gitHubId(r.installationId);
      const repoId = gitHubId(r.repoId);
      const seen = visible?.get(installationId);
      const fromRequest = { resourceId: randomUUID(), installationId, repoId, repoName: r.repoName, repoFullName: r.repoFullName, defaultBranch: r.defaultBranch, isPrivate: r.isPrivate, isArchived: r.isArchived };
      if (!seen) return fromRequest;
      const repository = seen.get(repoId);
      if (!repository) throw notFound(`Repository ${repoId}`);
      return { ...fromRequest, repoName: repository.name, repoFullName: repository.fullName, defaultBranch: repository.defaultBranch, isPrivate: repository.private, isArchived: repository.archived };
    });
    const result = await this.service.send(userId, { type: 'CreateResources', data: { userId, integrationId: id, resources, at: new Date().toISOString() } }, context);
    const created = new Set(result.events.flatMap((e) => (e.type === 'ResourcesCreated' ? (e as ResourcesCreated).data.resources.map((r) => r.resourceId) : [])));
    // The existing resources' ids come from the stream itself: the read model may not have them yet.
    const state = await this.service.load(userId);
    const seen = new Set<string>();
    const views: Array<ResourceView & { created: boolean }> = [];
    for (const { repoId } of resources) {
      const resource = findResourceByRepo(state, id, repoId);
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
  private async visibleRepositories(userId: string, integrationId: string, installationIds: ReadonlySet<string>): Promise<Map<string, Map<string, InstallationRepository>> | null> {
    const integration = findGitHubIntegration(await this.service.load(userId));
    if (!integration || integration.integrationId !== integrationId || integration.status !== 'active') return null;
    const visible = new Map<string, Map<string, InstallationRepository>>();
    for (const installationId of installationIds) {
      if (!integration.installations.some((installation) => installation.id === installationId)) continue;
      const repositories = await this.service.visibleRepositories(userId, installationId, { fresh: true });
      visible.set(installationId, new Map(repositories.map((r) => [r.id, r])));
    }
    return visible;
  }
}
