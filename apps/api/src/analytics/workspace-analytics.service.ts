import { Inject, Injectable } from '@nestjs/common';
import { JobStatsQueries, summarize, hoursBefore, type JobStatistics, type WindowTotals } from '#read-models';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { toJobView, type JobRow } from '../jobs/job.queries.js';

export type Health = 'healthy' | 'degraded' | 'down';

/** healthy at ≥ 95 % success, degraded at ≥ 80 %, otherwise down (as the original). */
export const healthOf = (successRate: number): Health => (successRate >= 95 ? 'healthy' : successRate >= 80 ? 'degraded' : 'down');

interface PeriodStats {
  readonly jobs: { readonly total: number; readonly completed: number; readonly failed: number; readonly successRate: number; readonly avgDurationMs: number };
  readonly documents: { readonly total: number; readonly chunks: number };
}

/** % change as the original defines it: (current − previous) / previous × 100, and 100 or 0 from zero. */
const change = (current: number, previous: number) => (previous === 0 ? (current > 0 ? 100 : 0) : Math.round(((current - previous) / previous) * 1000) / 10);

/** The workspace dashboard queries: each a handful of lookups on the job analytics read models. */
@Injectable()
export class WorkspaceAnalytics {
  readonly jobs: JobStatsQueries;

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    this.jobs = new JobStatsQueries((text, params) => runtime.dataSource.query(text, params as unknown[]));
  }

  async statistics(workspaceId: string, now: Date) {
    const from = hoursBefore(now, 24);
    const [totals, recent] = await Promise.all([this.jobs.windowTotals(workspaceId, from, null), this.jobs.recent<JobRow>(workspaceId, 5, from)]);
    const stats = summarize(totals);
    return {
      // Sources, stores and documents come from their read models once ingestion exists.
      sources: { total: 0, byType: {}, list: [] },
      stores: { total: 0, list: [] },
      documents: { total: 0, chunks: 0 },
      jobs: {
        total: stats.total,
        completed: stats.byStatus.completed,
        failed: stats.byStatus.failed,
        successRate: stats.successRate,
        avgDurationMs: stats.avgDurationMs,
        recent: recent.map(toJobView).map((job) => ({
          id: job.id,
          name: job.name,
          status: job.status,
          trigger: job.trigger,
          createdAt: job.createdAt,
          completedAt: job.completedAt,
          durationMs: job.durationMs,
          errorMessage: job.errorMessage,
        })),
      },
    };
  }

  async comparison(workspaceId: string, current: { start: Date; end: Date }, previous: { start: Date; end: Date }) {
    const [now, before] = await Promise.all([this.jobs.windowTotals(workspaceId, current.start, current.end), this.jobs.windowTotals(workspaceId, previous.start, previous.end)]);
    const a = period(now);
    const b = period(before);
    return {
      current: a,
      previous: b,
      changes: {
        jobs: {
          total: change(a.jobs.total, b.jobs.total),
          completed: change(a.jobs.completed, b.jobs.completed),
          failed: change(a.jobs.failed, b.jobs.failed),
          // An absolute difference in percentage points, as the original.
          successRate: Math.round((a.jobs.successRate - b.jobs.successRate) * 10) / 10,
          avgDurationMs: change(a.jobs.avgDurationMs, b.jobs.avgDurationMs),
        },
        documents: { total: change(a.documents.total, b.documents.total), chunks: change(a.documents.chunks, b.documents.chunks) },
      },
    };
  }

  async systemHealth(workspaceId: string, now: Date) {
    const stats: JobStatistics = summarize(await this.jobs.windowTotals(workspaceId, hoursBefore(now, 24), null));
    return { workspaceHealth: healthOf(stats.successRate), successRate: stats.successRate, storesCount: 0, sourcesCount: 0, totalJobs24h: stats.total, stores: [] };
  }
}

function period(totals: WindowTotals): PeriodStats {
  const stats = summarize(totals);
  return {
    jobs: { total: stats.total, completed: stats.byStatus.completed, failed: stats.byStatus.failed, successRate: stats.successRate, avgDurationMs: stats.avgDurationMs },
    documents: { total: 0, chunks: 0 },
  };
}
