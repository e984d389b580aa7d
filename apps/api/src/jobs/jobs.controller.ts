import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { JobQueries } from '#read-models';
import { RangeQuery, RecentJobsQuery, StatisticsQuery } from '../analytics/analytics.dto.js';
import { WorkspaceAnalytics } from '../analytics/workspace-analytics.service.js';
import { WorkspaceLookup } from '../workspaces/workspace-lookup.js';
import { CancelJobCommand } from './cancel-job.handler.js';
import { ListJobsQuery } from './jobs.dto.js';

@ApiTags('Jobs')
@Controller('v1/orgs/:org/workspaces/:ws/jobs')
export class JobsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly workspaces: WorkspaceLookup,
    private readonly jobs: JobQueries,
    private readonly analytics: WorkspaceAnalytics,
    private readonly access: OrgAccess,
  ) {}

  @ApiOperation({ summary: 'List jobs (jobs.list)' })
  @Get()
  @ReadsFrom('workspaces', 'jobs')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() query: ListJobsQuery) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.jobs.list(workspace.id, query);
  }

  // Static paths before `:jobId`, which would otherwise take "statistics" for a job id.
  @ApiOperation({ summary: 'Job statistics (jobs.statistics)' })
  @Get('statistics')
  @ReadsFrom('workspaces', 'jobs', 'job_stats')
  async statistics(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() query: StatisticsQuery,
  ) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.analytics.jobs.statistics(workspace.id, query.hours, new Date());
  }

  @ApiOperation({ summary: 'Recent jobs (jobs.recent)' })
  @Get('recent')
  @ReadsFrom('workspaces', 'jobs')
  async recent(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() query: RecentJobsQuery,
  ) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.jobs.recent(workspace.id, query.limit, null);
  }

  @ApiOperation({ summary: 'Job duration percentiles (workspace.jobPercentiles)' })
  @Get('percentiles')
  @ReadsFrom('workspaces', 'jobs', 'job_stats')
  async percentiles(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() query: RangeQuery,
  ) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.analytics.jobs.percentiles(workspace.id, query.range, new Date());
  }

  @ApiOperation({ summary: 'Performance time series (workspace.performanceTimeSeries)' })
  @Get('timeseries')
  @ReadsFrom('workspaces', 'job_stats')
  async timeSeries(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() query: RangeQuery,
  ) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.analytics.jobs.timeSeries(workspace.id, query.range, new Date());
  }

  @ApiOperation({ summary: 'Get a job (jobs.get)' })
  @Get(':jobId')
  @ReadsFrom('workspaces', 'jobs')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Param('jobId') jobId: string,
    @Query() _query: ConsistentQuery,
  ) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.jobs.get(workspace.id, jobId);
  }

  @ApiOperation({ summary: 'Cancel a job (jobs.cancel)' })
  @Post(':jobId/cancel')
  @HttpCode(200)
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Param('jobId') jobId: string,
    @CommandId() context: CommandContext,
  ) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    return this.commands.execute(new CancelJobCommand(organizationId, ws, jobId, context));
  }
}
