import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { ApiError } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { RateLimit } from '../rate-limits/rate-limit.guard.js';
import { ConnectRepositoryCommand } from './connect-repository.handler.js';
import { DetectRepositoryConfigCommand } from './detect-repository-config.handler.js';
import { ConnectRepositoryBody, ListRepositoriesQuery, UpdateRepositoryBody, metadataUpdateProblems } from './repositories.dto.js';
import { UpdateRepositoryMetadataCommand } from './update-repository-metadata.handler.js';
import { RepositoryQueries, toRepositoryView } from '#read-models';
import { RequestReindexCommand } from './request-reindex.handler.js';

/**
 * `repository.*` of the original. Commands are decided on the repository's own stream
 * (`repository-<githubRepoId>`); the read model only maps the id in the URL to that stream, and the
 * stream's state decides ownership again (another organization's repository is a 404).
 * Routes that take `{id}` accept `?minPosition=` to find a repository connected a moment ago.
 */
@ApiTags('Repositories')
@Controller('v1/orgs/:org/repositories')
export class RepositoriesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: RepositoryQueries,
    private readonly access: OrgAccess,
  ) {}

  @ApiOperation({ summary: 'List repositories (repository.list)' })
  @Get()
  @ReadsFrom('repositories')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Query() query: ListRepositoriesQuery) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    return this.queries.list(organizationId, query.includeInactive);
  }

  @ApiOperation({ summary: 'Get a repository (repository.get)' })
  @Get(':id')
  @ReadsFrom('repositories')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('id') id: string,
    @Query() _query: ConsistentQuery,
  ) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    return toRepositoryView(await this.queries.row(organizationId, id));
  }

  /** 201 for a new repository, 200 for the reactivation of an inactive one; 409 when already active. */
  @ApiOperation({ summary: 'Connect a repository (repository.connect)' })
  @ApiResponse({ status: 201, description: 'Connected.' })
  @ApiResponse({ status: 200, description: 'An inactive repository reactivated.' })
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
    const connected = await this.commands.execute(
      new ConnectRepositoryCommand(organizationId, userId, body.githubRepoId, body.githubInstallationId, body.workspace, context),
    );
    response.status(connected.reactivated ? HttpStatus.OK : HttpStatus.CREATED);
    return connected;
  }

  /**
   * `repository.updateMetadata`: the keys given are merged into the metadata (`{...old, ...new}`,
   * as the original), admins only. GitHub's own keys (`GITHUB_METADATA_KEYS`) are refused: they
   * come from GitHub (its webhooks, including a rename), which Console then calls with them.
   */
  @ApiOperation({ summary: "Update a repository's metadata (repository.updateMetadata)" })
  @Patch(':id')
  @ReadsFrom('repositories')
  async updateMetadata(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('id') id: string,
    @Body() body: UpdateRepositoryBody,
    @Query() _query: ConsistentQuery,
    @CommandId() context: CommandContext,
  ) {
    const problems = metadataUpdateProblems(body.metadata);
    if (problems.length > 0) {
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        'invalid_request',
        `Invalid request: ${problems.map((p) => `${p.field}: ${p.message}`).join(', ')}`,
        { fields: problems.map((p) => ({ field: p.field, messages: [p.message] })) },
      );
    }
    const { organizationId } = await this.access.requireOrg(principal, org, { admin: true });
    const { metadata, position } = await this.commands.execute(
      new UpdateRepositoryMetadataCommand(organizationId, id, body.metadata, context),
    );
    return { success: true, metadata, position };
  }

  @ApiOperation({ summary: "Detect a repository's config (repository.detectConfig)" })
  @Post(':id/detect-config')
  @HttpCode(200)
  @ReadsFrom('repositories')
  async detectConfig(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('id') id: string,
    @Query() _query: ConsistentQuery,
    @CommandId() context: CommandContext,
  ) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    return this.commands.execute(new DetectRepositoryConfigCommand(organizationId, id, context));
  }

  /**
   * 202 at once: the job is queued and the ingestion reactor does the work. The repository holds
   * the active job id, so a second request while that job is queued or running is a 409.
   */
  @ApiOperation({ summary: 'Reindex a repository (repository.reindex)' })
  @Post(':id/reindex')
  @HttpCode(202)
  @ReadsFrom('repositories')
  @RateLimit('reindex')
  async reindex(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('id') id: string,
    @Query() _query: ConsistentQuery,
    @CommandId() context: CommandContext,
  ) {
    const { organizationId, userId } = await this.access.requireOrg(principal, org);
    return this.commands.execute(new RequestReindexCommand(organizationId, userId, id, context));
  }
}
