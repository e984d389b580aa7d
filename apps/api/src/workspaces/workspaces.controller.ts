import { EVENT_STORE } from '#runtime';
import type { EventStore } from '#event-store';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { workspaceDecider, workspaceDirectoryStreamId } from '#domain';
import { handleCommand, type CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { Quotas } from '../quotas/quotas.service.js';
import { RateLimit } from '../rate-limits/rate-limit.guard.js';
import { WorkspaceQueries } from './workspace.queries.js';
import { WorkspaceNameBody } from './workspaces.dto.js';

@Controller('v1/orgs/:org/workspaces')
export class WorkspacesController {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly queries: WorkspaceQueries,
    private readonly access: OrgAccess,
    private readonly quotas: Quotas,
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
  async create(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Body() body: WorkspaceNameBody, @CommandId() context: CommandContext) {
    const scope = await this.access.requireOrg(principal, org);
    await this.quotas.requireWorkspaceQuota(scope.organizationId, context.commandId);
    const workspaceId = randomUUID();
    const result = await handleCommand(
      this.eventStore,
      workspaceDirectoryStreamId(scope.organizationId),
      workspaceDecider,
      { type: 'CreateWorkspace', data: { organizationId: scope.organizationId, workspaceId, name: body.name, isDefault: false, at: new Date().toISOString() } },
      context,
    );
    const created = result.events.find((e) => e.type === 'WorkspaceCreated');
    const data = created?.type === 'WorkspaceCreated' ? created.data : null;
    return {
      workspaceId: data?.workspaceId ?? workspaceId,
      workspaceName: data?.name ?? body.name,
      workspaceSlug: data?.slug ?? body.name.toLowerCase(),
      workspaceKey: `ws-${data?.slug ?? body.name.toLowerCase()}`,
      position: result.position,
    };
  }

  @Get(':ws')
  @ReadsFrom('workspaces')
  async get(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() _query: ConsistentQuery) {
    const scope = await this.access.requireOrg(principal, org);
    return this.queries.byName(scope.organizationId, ws);
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
    // The decider resolves `ws` on the directory stream itself: a lagging read model cannot
    // make a rename hit the wrong workspace or miss one that was just created.
    const result = await handleCommand(
      this.eventStore,
      workspaceDirectoryStreamId(scope.organizationId),
      workspaceDecider,
      { type: 'RenameWorkspace', data: { organizationId: scope.organizationId, currentName: ws, name: body.name, at: new Date().toISOString() } },
      context,
    );
    return { success: true, newWorkspaceName: body.name, position: result.position };
  }
}
