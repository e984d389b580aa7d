import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { GitHubInstallationQueries } from '#read-models';
import { HttpStatus } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import type { Principal } from '#adapters';
import type { CommandContext } from '#event-store';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { BindInstallationCommand } from './bind-installation.handler.js';
import { BindInstallationBody } from './installations.dto.js';

/**
 * The GitHub App installations an organization owns. A member binds one their own GitHub token
 * lists (`POST`); the App's setup callback binds the one just installed (`GET /v1/github/setup`).
 */
@ApiTags('GitHub')
@Controller('v1/orgs/:org/github/installations')
export class InstallationsController {
  constructor(
    private readonly installations: GitHubInstallationQueries,
    private readonly commands: CommandBus,
    private readonly access: OrgAccess,
  ) {}

  @ApiOperation({ summary: "List the organization's GitHub App installations" })
  @Get()
  @ReadsFrom('github_installations')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Query() _query: ConsistentQuery) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    return this.installations.list(organizationId);
  }

  /** 201 when bound now, 200 when the organization already owned it; 404 when the caller's GitHub token does not list it. */
  @ApiOperation({ summary: 'Bind a GitHub App installation to the organization' })
  @ApiResponse({ status: 201, description: 'Bound now.' })
  @ApiResponse({ status: 200, description: 'The organization already owned it.' })
  @Post()
  async bind(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Body() body: BindInstallationBody,
    @CommandId() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { organizationId, userId } = await this.access.requireOrg(principal, org);
    const outcome = await this.commands.execute(new BindInstallationCommand(organizationId, userId, body.installationId, context));
    response.status(outcome.created ? HttpStatus.CREATED : HttpStatus.OK);
    const { installationId, accountLogin, accountType, via, boundBy, boundAt } = outcome.binding;
    return { installationId, accountLogin, accountType, via, boundBy, boundAt, position: outcome.position };
  }
}
