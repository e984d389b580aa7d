import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { badRequest } from '../common/api-error.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { WorkspaceLookup } from '../workspaces/workspace-lookup.js';
import { CompareQuery } from './analytics.dto.js';
import { WorkspaceAnalytics } from './workspace-analytics.service.js';

@ApiTags('Analytics')
@Controller('v1/orgs/:org/workspaces/:ws')
export class WorkspaceAnalyticsController {
  constructor(
    private readonly workspaces: WorkspaceLookup,
    private readonly analytics: WorkspaceAnalytics,
    private readonly access: OrgAccess,
  ) {}

  @ApiOperation({ summary: 'Workspace statistics (workspace.statistics)' })
  @Get('statistics')
  @ReadsFrom('workspaces', 'jobs', 'job_stats', 'stores', 'repositories', 'integrations')
  async statistics(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() _query: ConsistentQuery,
  ) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.analytics.statistics(workspace.id, new Date());
  }

  @ApiOperation({ summary: 'Compare two periods (workspace.statisticsComparison)' })
  @Get('statistics/compare')
  @ReadsFrom('workspaces', 'jobs', 'job_stats', 'stores')
  async compare(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() query: CompareQuery,
  ) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    const current = range(query.currentStart, query.currentEnd, 'current');
    const previous = range(query.previousStart, query.previousEnd, 'previous');
    return this.analytics.comparison(workspace.id, current, previous);
  }

  @ApiOperation({ summary: 'Workspace system health (workspace.systemHealth)' })
  @Get('health')
  @ReadsFrom('workspaces', 'jobs', 'job_stats', 'stores', 'repositories', 'integrations')
  async health(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() _query: ConsistentQuery,
  ) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.analytics.systemHealth(workspace.id, new Date());
  }
}

function range(start: string, end: string, name: 'current' | 'previous'): { start: Date; end: Date } {
  const range = { start: new Date(start), end: new Date(end) };
  if (range.start.getTime() > range.end.getTime()) throw badRequest(`${name}End`, `must not be before ${name}Start`);
  return range;
}
