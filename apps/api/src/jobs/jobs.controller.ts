import { EVENT_STORE } from '#runtime';
import type { EventStore } from '#event-store';
import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { DomainError, findWorkspaceByName, jobDecider, jobStreamId, workspaceDecider, workspaceDirectoryStreamId } from '#domain';
import { handleCommand, type CommandContext, aggregateStream } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { notFound } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { WorkspaceQueries } from '../workspaces/workspace.queries.js';
import { JobQueries, toJobView, type JobRow } from './job.queries.js';
import { RangeQuery, RecentJobsQuery, StatisticsQuery } from '../analytics/analytics.dto.js';
import { WorkspaceAnalytics } from '../analytics/workspace-analytics.service.js';
import { ListJobsQuery } from './jobs.dto.js';

@Controller('v1/orgs/:org/workspaces/:ws/jobs')
export class JobsController {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly workspaces: WorkspaceQueries,
    private readonly jobs: JobQueries,
    private readonly analytics: WorkspaceAnalytics,
    private readonly access: OrgAccess,
  ) {}

  @Get()
  @ReadsFrom('workspaces', 'jobs')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() query: ListJobsQuery) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.jobs.list(workspace.id, query);
  }

  // Static paths before `:jobId`, which would otherwise take "statistics" for a job id.
  @Get('statistics')
  @ReadsFrom('workspaces', 'jobs', 'job_stats')
  async statistics(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() query: StatisticsQuery) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.analytics.jobs.statistics(workspace.id, query.hours, new Date());
  }

  @Get('recent')
  @ReadsFrom('workspaces', 'jobs')
  async recent(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() query: RecentJobsQuery) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return (await this.analytics.jobs.recent<JobRow>(workspace.id, query.limit, null)).map(toJobView);
  }

  @Get('percentiles')
  @ReadsFrom('workspaces', 'jobs', 'job_stats')
  async percentiles(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() query: RangeQuery) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.analytics.jobs.percentiles(workspace.id, query.range, new Date());
  }

  @Get('timeseries')
  @ReadsFrom('workspaces', 'job_stats')
  async timeSeries(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() query: RangeQuery) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.analytics.jobs.timeSeries(workspace.id, query.range, new Date());
  }

  @Get(':jobId')
  @ReadsFrom('workspaces', 'jobs')
  async get(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Param('jobId') jobId: string, @Query() _query: ConsistentQuery) {
    const workspace = await this.workspaces.byName((await this.access.requireOrg(principal, org)).organizationId, ws);
    return this.jobs.get(workspace.id, jobId);
  }

  @Post(':jobId/cancel')
  @HttpCode(200)
  async cancel(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Param('jobId') jobId: string, @CommandId() context: CommandContext) {
    const organizationId = (await this.access.requireOrg(principal, org)).organizationId;
    // Both sides of the check come from the event streams, not the read models, which may lag:
    // the workspace that `ws` names now, and the workspace the job's own stream says it is in.
    const directory = (await aggregateStream(this.eventStore, workspaceDirectoryStreamId(organizationId), workspaceDecider)).state;
    const workspaceId = findWorkspaceByName(directory, ws);
    if (!workspaceId) throw notFound(`Workspace "${ws}"`);
    const history = await this.eventStore.readStream(jobStreamId(jobId));
    const queued = history.find((e) => e.type === 'JobQueued');
    if (!queued || (queued.data as { workspaceId: string }).workspaceId !== workspaceId) throw notFound('Job');
    try {
      const result = await handleCommand(this.eventStore, jobStreamId(jobId), jobDecider, { type: 'CancelJob', data: { at: new Date().toISOString(), reason: 'cancelled_by_user' } }, context);
      return { success: true, position: result.position };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found') throw notFound('Job');
      throw error;
    }
  }
}
