import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { DomainError, jobDecider, jobStreamId } from '#domain';
import { handleCommand, type CommandContext } from '#event-store';
import type { Principal } from '#integrations';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { requireOrg } from '../auth/org-access.js';
import { notFound } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { WorkspaceQueries } from '../workspaces/workspace.queries.js';
import { JobQueries } from './job.queries.js';
import { ListJobsQuery } from './jobs.dto.js';

@Controller('v1/orgs/:org/workspaces/:ws/jobs')
export class JobsController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly workspaces: WorkspaceQueries,
    private readonly jobs: JobQueries,
  ) {}

  @Get()
  @ReadsFrom('workspaces', 'jobs')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() query: ListJobsQuery) {
    const workspace = await this.workspaces.byName(requireOrg(principal, org).organizationId, ws);
    return this.jobs.list(workspace.id, query);
  }

  @Get(':jobId')
  @ReadsFrom('workspaces', 'jobs')
  async get(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Param('jobId') jobId: string, @Query() _query: ConsistentQuery) {
    const workspace = await this.workspaces.byName(requireOrg(principal, org).organizationId, ws);
    return this.jobs.get(workspace.id, jobId);
  }

  @Post(':jobId/cancel')
  @HttpCode(200)
  async cancel(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Param('jobId') jobId: string, @CommandId() context: CommandContext) {
    const workspace = await this.workspaces.byName(requireOrg(principal, org).organizationId, ws);
    // The job's own stream says which workspace it belongs to; a job of another workspace is a 404.
    const history = await this.runtime.store.readStream(jobStreamId(jobId));
    const queued = history.find((e) => e.type === 'JobQueued');
    if (!queued || (queued.data as { workspaceId: string }).workspaceId !== workspace.id) throw notFound('Job');
    try {
      const result = await handleCommand(this.runtime.store, jobStreamId(jobId), jobDecider, { type: 'CancelJob', data: { at: new Date().toISOString(), reason: 'cancelled_by_user' } }, context);
      return { success: true, position: result.position };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found') throw notFound('Job');
      throw error;
    }
  }
}
