import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { Principal } from '#adapters';
import type { CommandContext, Position } from '#event-store';
import { IntegrationQueries, WorkspaceSourceQueries, type WorkspaceSource } from '#read-models';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { forbidden, notFound } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { WorkspaceLookup } from '../workspaces/workspace-lookup.js';
import { DeactivateWorkspaceRepositoryCommand } from './deactivate-workspace-repository.handler.js';
import { DisconnectResourceFromWorkspaceCommand } from './disconnect-resource-from-workspace.handler.js';

/** `workspace.integrations.list` item: the original's fields, then what the read models know besides. */
export interface WorkspaceSourceView {
  readonly id: string;
  readonly provider: 'github';
  readonly isActive: boolean;
  readonly connectedAt: string;
  /** The original's name for the last sync time. */
  readonly lastSyncAt: string | null;
  readonly isBilledViaVercel: false;
  readonly displayName: string;
  readonly syncStatus: WorkspaceSource['syncStatus'];
  readonly lastSyncError: string | null;
  readonly documentCount: number;
  readonly documentsByStore: Readonly<Record<string, number>>;
  readonly lastIngestedAt: string | null;
  /** The connected repository (`repository.connect`) behind the source, if any. */
  readonly repositoryId: string | null;
  /** The resource connection (`integration.workspace.connect`) behind it, if any. */
  readonly resourceId: string | null;
  readonly metadata: WorkspaceSource['metadata'];
}

const toView = (s: WorkspaceSource): WorkspaceSourceView => ({
  id: s.id,
  provider: s.type,
  isActive: s.isActive,
  connectedAt: s.connectedAt,
  lastSyncAt: s.lastSyncedAt,
  isBilledViaVercel: false,
  displayName: s.displayName,
  syncStatus: s.syncStatus,
  lastSyncError: s.lastSyncError,
  documentCount: s.documentCount,
  documentsByStore: s.documentsByStore,
  lastIngestedAt: s.lastIngestedAt,
  repositoryId: s.repositoryId,
  resourceId: s.resourceId,
  metadata: s.metadata,
});

/**
 * `workspace.integrations.*`: every source a workspace reads from, whatever connected it (a
 * repository through `repository.connect`, a member's resource through `…/integrations`), one per
 * GitHub repository, active or not (as the original listed them). Read from the existing read
 * models (`WorkspaceSourceQueries`, counters for documents); disconnection goes through the same
 * commands as `DELETE …/integrations/{resourceId}` and a repository's deactivation.
 */
@ApiTags('Sources')
@Controller('v1/orgs/:org/workspaces/:ws/sources')
export class WorkspaceSourceListController {
  constructor(
    private readonly access: OrgAccess,
    private readonly commands: CommandBus,
    private readonly sources: WorkspaceSourceQueries,
    private readonly integrations: IntegrationQueries,
    private readonly workspaces: WorkspaceLookup,
  ) {}

  @ApiOperation({ summary: "List a workspace's sources (workspace.integrations.list)" })
  @Get()
  @ReadsFrom('workspaces', 'integrations', 'repositories', 'stores', 'job_stats', 'jobs')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() _query: ConsistentQuery,
  ): Promise<WorkspaceSourceView[]> {
    const scope = await this.access.requireOrg(principal, org);
    const workspace = await this.workspaces.byName(scope.organizationId, ws);
    return (await this.sources.list(workspace.id, { includeInactive: true })).map(toView);
  }

  /**
   * `workspace.integrations.disconnect`. `{id}` is a source id as listed (or its repository or
   * resource id); a source of another workspace or organization is not in this workspace's list:
   * 404, nothing appended. Its resource connection may be ended by the resource's owner or an
   * admin (as `DELETE …/integrations/{resourceId}`); a connected repository only by an admin (it
   * is the organization's). A second disconnection is a no-op.
   */
  @ApiOperation({ summary: 'Disconnect a source (workspace.integrations.disconnect)' })
  @Delete(':id')
  @HttpCode(200)
  @ReadsFrom('workspaces', 'integrations', 'repositories')
  async disconnect(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Param('id') id: string,
    @Query() _query: ConsistentQuery,
    @CommandId() context: CommandContext,
  ): Promise<{ success: true; position: Position | null }> {
    const scope = await this.access.requireOrg(principal, org);
    const workspace = await this.workspaces.byName(scope.organizationId, ws);
    const source = (await this.sources.list(workspace.id, { includeInactive: true })).find(
      (s) => s.id === id || s.resourceId === id || s.repositoryId === id,
    );
    if (!source) throw notFound('Source');
    const owner = source.resourceId ? await this.integrations.connectionOwner(workspace.id, source.resourceId) : null;
    // Every part is authorized before anything is appended.
    if (scope.role !== 'admin') {
      if (source.repositoryId) throw forbidden('Only an organization admin can disconnect a connected repository');
      if (owner !== scope.userId) throw forbidden('Only the owner of the resource or an organization admin can disconnect it');
    }
    let position: Position | null = null;
    if (source.resourceId && owner) {
      ({ position } = await this.commands.execute(
        new DisconnectResourceFromWorkspaceCommand(owner, scope.userId, workspace.id, source.resourceId, context),
      ));
    }
    if (source.repositoryId) {
      // Its own command id: event ids derive from it, and this is another stream's append.
      ({ position } = await this.commands.execute(
        new DeactivateWorkspaceRepositoryCommand(scope.organizationId, source.githubRepoId, {
          ...context,
          commandId: `${context.commandId}:deactivate-repository`,
        }),
      ));
    }
    return { success: true, position };
  }
}
