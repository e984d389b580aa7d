import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess, type OrgScope } from '../auth/org-access.js';
import { forbidden } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import type { WorkspaceView } from '#read-models';
import { WorkspaceLookup } from '../workspaces/workspace-lookup.js';
import { IntegrationQueries } from '#read-models';
import { ConnectResourceBody, IntegrationStatusQuery, toSyncConfig } from '../integrations/integrations.dto.js';
import { jsonOrNull } from '../integrations/json-null.js';
import { ConnectResourceToWorkspaceCommand } from './connect-resource-to-workspace.handler.js';
import { DisconnectResourceFromWorkspaceCommand } from './disconnect-resource-from-workspace.handler.js';

/**
 * `integration.workspace.*`, a workspace's sources: a member of the organization connects one of
 * their own resources (a repository of their GitHub integration) to a workspace. The connection is
 * recorded in the resource owner's integration stream, next to the resource.
 */
@ApiTags('Sources')
@Controller('v1/orgs/:org/workspaces/:ws/integrations')
export class WorkspaceSourcesController {
  constructor(
    private readonly access: OrgAccess,
    private readonly commands: CommandBus,
    private readonly queries: IntegrationQueries,
    private readonly workspaces: WorkspaceLookup,
  ) {}

  @ApiOperation({ summary: "List a workspace's connected resources (integration.workspace.list)" })
  @Get()
  @ReadsFrom('workspaces', 'integrations')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() _query: ConsistentQuery,
  ) {
    const { workspace } = await this.resolve(principal, org, ws);
    return this.queries.workspaceConnections(workspace.id);
  }

  /** The connection of the caller's repository `owner/name` to the workspace, or JSON `null`. */
  @ApiOperation({ summary: "A repository's connection to the workspace (integration.workspace.getStatus)" })
  @Get('status')
  @ReadsFrom('workspaces', 'integrations')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async status(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() query: IntegrationStatusQuery,
  ) {
    const { scope, workspace } = await this.resolve(principal, org, ws);
    return jsonOrNull(await this.queries.status(scope.userId, workspace.id, query.repoFullName));
  }

  /**
   * Connects the resource; the first connection (or one after a disconnection) starts the initial
   * sync. Connecting it again changes only its sync configuration.
   * The workspace is resolved on its read model, so `?minPosition=` (the position of the
   * workspace's creation) lets a client connect to a workspace it has just created.
   */
  @ApiOperation({ summary: 'Connect a resource to a workspace (integration.workspace.connect)' })
  @Post()
  @HttpCode(201)
  @ReadsFrom('workspaces')
  async connect(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Body() body: ConnectResourceBody,
    @CommandId() context: CommandContext,
  ) {
    const { scope, workspace } = await this.resolve(principal, org, ws);
    return this.commands.execute(
      new ConnectResourceToWorkspaceCommand(
        scope.userId,
        scope.organizationId,
        workspace,
        body.resourceId,
        toSyncConfig(body.syncConfig),
        context,
      ),
    );
  }

  /**
   * Not in the original API (it declared `repository.disconnected` but had no route). The
   * resource's owner may disconnect it, and so may an admin of the organization, for a
   * connection left by someone else.
   */
  @ApiOperation({ summary: 'Disconnect a resource from a workspace' })
  @Delete(':resourceId')
  @HttpCode(200)
  @ReadsFrom('workspaces', 'integrations')
  async disconnect(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Param('resourceId') resourceId: string,
    @CommandId() context: CommandContext,
  ) {
    const { scope, workspace } = await this.resolve(principal, org, ws);
    // The owner comes from the read model; a connection not projected yet can still be
    // disconnected by its owner, whose own stream is tried then.
    const owner = (await this.queries.connectionOwner(workspace.id, resourceId)) ?? scope.userId;
    if (owner !== scope.userId && scope.role !== 'admin')
      throw forbidden('Only the owner of the resource or an organization admin can disconnect it');
    const { position } = await this.commands.execute(
      new DisconnectResourceFromWorkspaceCommand(owner, scope.userId, workspace.id, resourceId, context),
    );
    return { success: true, position };
  }

  private async resolve(principal: Principal, org: string, ws: string): Promise<{ scope: OrgScope; workspace: WorkspaceView }> {
    const scope = await this.access.requireOrg(principal, org);
    return { scope, workspace: await this.workspaces.byName(scope.organizationId, ws) };
  }
}
