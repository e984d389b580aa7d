import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess, type OrgScope } from '../auth/org-access.js';
import { forbidden } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { WorkspaceQueries } from '../workspaces/workspace.queries.js';
import type { WorkspaceView } from '../workspaces/workspaces.dto.js';
import { GitHubIntegrationService } from './github-integration.service.js';
import { IntegrationQueries } from './integration.queries.js';
import { ConnectResourceBody, IntegrationStatusQuery, toSyncConfig } from './integrations.dto.js';
import { jsonOrNull } from './json-null.js';

/**
 * `integration.workspace.*`: a member of the organization connects one of their own resources
 * to a workspace. The connection is recorded in the resource owner's integration stream, next to
 * the resource: existence, ownership and "connected once per workspace" are one aggregate's rules.
 */
@Controller('v1/orgs/:org/workspaces/:ws/integrations')
export class WorkspaceIntegrationsController {
  constructor(
    private readonly access: OrgAccess,
    private readonly service: GitHubIntegrationService,
    private readonly queries: IntegrationQueries,
    private readonly workspaces: WorkspaceQueries,
  ) {}

  @Get()
  @ReadsFrom('workspaces', 'integrations')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() _query: ConsistentQuery) {
    const { workspace } = await this.resolve(principal, org, ws);
    return this.queries.workspaceConnections(workspace.id);
  }

  /** The connection of the caller's repository `owner/name` to the workspace, or JSON `null`. */
  @Get('status')
  @ReadsFrom('workspaces', 'integrations')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async status(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() query: IntegrationStatusQuery) {
    const { scope, workspace } = await this.resolve(principal, org, ws);
    return jsonOrNull(await this.queries.status(scope.userId, workspace.id, query.repoFullName));
  }

  /**
   * Connects the resource; the first connection (or one after a disconnection) appends the event
   * that starts the initial sync. Connecting it again changes only its sync configuration.
   * The workspace is resolved on its read model, so `?minPosition=` (the position of the
   * workspace's creation) lets a client connect to a workspace it has just created.
   */
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
    const syncConfig = toSyncConfig(body.syncConfig);
    // The initial sync reads the repository with the App's installation token on the
    // organization's behalf: only while GitHub still shows it to the member who connects it.
    const resource = (await this.service.load(scope.userId)).resources.get(body.resourceId);
    if (resource) await this.service.requireVisibleRepository(scope.userId, resource.installationId, resource.repoId);
    const result = await this.service.send(
      scope.userId,
      {
        type: 'ConnectResourceToWorkspace',
        data: {
          userId: scope.userId,
          resourceId: body.resourceId,
          workspaceId: workspace.id,
          workspaceKey: `ws-${workspace.slug}`,
          organizationId: scope.organizationId,
          syncConfig,
          at: new Date().toISOString(),
        },
      },
      context,
    );
    const event = result.events[0];
    return {
      workspaceId: workspace.id,
      resourceId: body.resourceId,
      syncConfig: event && 'syncConfig' in event.data ? event.data.syncConfig : syncConfig,
      isActive: true,
      // True when this request started a new initial sync (a first connection or a reconnection).
      initialSyncStarted: event?.type === 'ResourceConnectedToWorkspace',
      position: result.position,
    };
  }

  /**
   * Not in the original API (it declared `repository.disconnected` but had no route). The
   * resource's owner may disconnect it, and so may an admin of the organization, for a
   * connection left by someone else.
   */
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
    if (owner !== scope.userId && scope.role !== 'admin') throw forbidden('Only the owner of the resource or an organization admin can disconnect it');
    const result = await this.service.send(
      owner,
      { type: 'DisconnectResourceFromWorkspace', data: { userId: owner, resourceId, workspaceId: workspace.id, by: scope.userId, at: new Date().toISOString() } },
      context,
    );
    return { success: true, position: result.position };
  }

  private async resolve(principal: Principal, org: string, ws: string): Promise<{ scope: OrgScope; workspace: WorkspaceView }> {
    const scope = await this.access.requireOrg(principal, org);
    return { scope, workspace: await this.workspaces.byName(scope.organizationId, ws) };
  }
}
