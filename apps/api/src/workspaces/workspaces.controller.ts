import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { RateLimit } from '../rate-limits/rate-limit.guard.js';
import { CreateWorkspaceCommand } from './create-workspace.handler.js';
import { RenameWorkspaceCommand } from './rename-workspace.handler.js';
import { WorkspaceQueries } from '#read-models';
import { WorkspaceLookup } from './workspace-lookup.js';
import { WorkspaceNameBody } from './workspaces.dto.js';

/** `workspace.*` of an organization: members list, create and rename its workspaces. */
@Controller('v1/orgs/:org/workspaces')
export class WorkspacesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: WorkspaceQueries,
    private readonly access: OrgAccess,
    private readonly lookup: WorkspaceLookup,
  ) {}

  @Get()
  @ReadsFrom('workspaces', 'job_stats', 'repositories', 'stores')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Query() _query: ConsistentQuery) {
    const scope = await this.access.requireOrg(principal, org);
    return this.queries.list(scope.organizationId);
  }

  @Post()
  @HttpCode(201)
  @RateLimit('workspaceCreate')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Body() body: WorkspaceNameBody,
    @CommandId() context: CommandContext,
  ) {
    const scope = await this.access.requireOrg(principal, org);
    return this.commands.execute(new CreateWorkspaceCommand(scope.organizationId, body.name, context));
  }

  @Get(':ws')
  @ReadsFrom('workspaces')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() _query: ConsistentQuery,
  ) {
    const scope = await this.access.requireOrg(principal, org);
    return this.lookup.byName(scope.organizationId, ws);
  }

  @Patch(':ws')
  async rename(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Body() body: WorkspaceNameBody,
    @CommandId() context: CommandContext,
  ) {
    const scope = await this.access.requireOrg(principal, org);
    const { position } = await this.commands.execute(new RenameWorkspaceCommand(scope.organizationId, ws, body.name, context));
    return { success: true, newWorkspaceName: body.name, position };
  }
}
