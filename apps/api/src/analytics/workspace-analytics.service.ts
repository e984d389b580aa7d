import { Inject, Injectable } from '@nestjs/common';
import {
  DocumentTotalsQueries,
  JobQueries,
  JobStatsQueries,
  StoreQueries,
  WorkspaceSourceQueries,
  summarize,
  hoursBefore,
  sqlOnDataSource,
  type DocumentTotals,
  type StoreView,
  type WindowTotals,
  type WorkspaceSource,
} from '#read-models';
import { READ_DATABASE } from '#runtime';
import { namedStatements } from '#adapters';
import type { DataSource } from 'typeorm';
import { successRateBySource } from './source-health.js';

export type Health = 'healthy' | 'degraded' | 'down';

/** healthy at ≥ 95 % success, degraded at ≥ 80 %, otherwise down (as the original). */
export const healthOf = (successRate: number): Health => (successRate >= 95 ? 'healthy' : successRate >= 80 ? 'degraded' : 'down');

interface PeriodStats {
  readonly jobs: {
    readonly total: number;
    readonly completed: number;
    readonly failed: number;
    readonly successRate: number;
    readonly avgDurationMs: number;
  };
  readonly documents: DocumentTotals;
}

/** % change as the original defines it: (current − previous) / previous × 100, and 100 or 0 from zero. */
const change = (current: number, previous: number) =>
  previous === 0 ? (current > 0 ? 100 : 0) : Math.round(((current - previous) / previous) * 1000) / 10;

/** Documents and chunks of the workspace: the sum of its stores' counters, no document read. */
const documentTotals = (stores: readonly StoreView[]): DocumentTotals => ({
  total: stores.reduce((sum, s) => sum + s.documentCount, 0),
  chunks: stores.reduce((sum, s) => sum + s.chunkCount, 0),
});

const sourceView = (s: WorkspaceSource) => ({
  id: s.id,
  type: s.type,
  displayName: s.displayName,
  documentCount: s.documentCount,
  lastSyncedAt: s.lastSyncedAt,
  lastIngestedAt: s.lastIngestedAt,
  metadata: s.metadata,
});

/**
 * The workspace dashboard queries. Each section is one statement whatever the number of stores,
 * sources or jobs behind it; the sections of a request run concurrently.
 */
@Injectable()
export class WorkspaceAnalytics {
  readonly jobs: JobStatsQueries;
  private readonly jobList: JobQueries;
  private readonly stores: StoreQueries;
  private readonly sources: WorkspaceSourceQueries;
  private readonly documents: DocumentTotalsQueries;

  constructor(@Inject(READ_DATABASE) database: DataSource) {
    const sql = sqlOnDataSource(database);
    this.jobs = namedStatements(new JobStatsQueries(sql), JobStatsQueries.name);
    this.jobList = namedStatements(new JobQueries(sql), JobQueries.name);
    this.stores = namedStatements(new StoreQueries(sql), StoreQueries.name);
    this.sources = namedStatements(new WorkspaceSourceQueries(sql), WorkspaceSourceQueries.name);
    this.documents = namedStatements(new DocumentTotalsQueries(sql), DocumentTotalsQueries.name);
  }

  /** `workspace.statistics`: four statements (sources, stores with their counters, job totals, recent jobs). */
  async statistics(workspaceId: string, now: Date) {
    const from = hoursBefore(now, 24);
    const [sources, stores, totals, recent] = await Promise.all([
      this.sources.list(workspaceId),
      this.stores.list(workspaceId),
      this.jobs.windowTotals(workspaceId, from, null),
      this.jobList.recent(workspaceId, 5, from),
    ]);
    const stats = summarize(totals);
    return {
      sources: {
        total: sources.length,
        byType: sources.reduce<Record<string, number>>((byType, s) => ({ ...byType, [s.type]: (byType[s.type] ?? 0) + 1 }), {}),
        list: sources.map(sourceView),
      },
      stores: {
        total: stores.length,
        list: stores.map((s) => ({
          id: s.id,
          slug: s.slug,
          indexName: s.indexName,
          embeddingDim: s.embeddingDim,
          documentCount: s.documentCount,
          chunkCount: s.chunkCount,
          createdAt: s.createdAt,
        })),
      },
      documents: documentTotals(stores),
      jobs: {
        total: stats.total,
        completed: stats.byStatus.completed,
        failed: stats.byStatus.failed,
        successRate: stats.successRate,
        avgDurationMs: stats.avgDurationMs,
        recent: recent.map((job) => ({
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

  /**
   * `workspace.statisticsComparison`: jobs created in each range; documents as the original meant
   * them, the totals at each range's end (see `DocumentTotalsQueries.asOf`). Three statements.
   */
  async comparison(workspaceId: string, current: { start: Date; end: Date }, previous: { start: Date; end: Date }) {
    const [now, before, [documentsNow, documentsBefore]] = await Promise.all([
      this.jobs.windowTotals(workspaceId, current.start, current.end),
      this.jobs.windowTotals(workspaceId, previous.start, previous.end),
      this.documents.asOf(workspaceId, [current.end, previous.end]),
    ]);
    const a = period(now, documentsNow!);
    const b = period(before, documentsBefore!);
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

  /**
   * `workspace.systemHealth`: workspace → stores → sources, four statements. Every source is listed
   * under every store, as the original did (a source feeds whichever store its `lightfast.yml`
   * names, and one with no document yet stays visible), but with its documents in that store.
   * A store's rate is the workspace's, as in the original: jobs do not record the stores they fed.
   */
  async systemHealth(workspaceId: string, now: Date) {
    const from = hoursBefore(now, 24);
    const [totals, stores, sources, sourceJobs] = await Promise.all([
      this.jobs.windowTotals(workspaceId, from, null),
      this.stores.list(workspaceId),
      this.sources.list(workspaceId),
      this.jobList.totalsBySource(workspaceId, from),
    ]);
    const stats = summarize(totals);
    const sourceRates = successRateBySource(sources, sourceJobs);
    return {
      workspaceHealth: healthOf(stats.successRate),
      successRate: stats.successRate,
      storesCount: stores.length,
      sourcesCount: sources.length,
      totalJobs24h: stats.total,
      stores: stores.map((store) => ({
        id: store.id,
        name: store.slug,
        embeddingDim: store.embeddingDim,
        documentCount: store.documentCount,
        successRate: stats.successRate,
        health: healthOf(stats.successRate),
        sources: sources.map((source) => {
          const successRate = sourceRates.get(source.id) ?? 100;
          return {
            id: source.id,
            type: source.type,
            displayName: source.displayName,
            documentCount: source.documentsByStore[store.id] ?? 0,
            lastSyncedAt: source.lastSyncedAt,
            successRate,
            health: healthOf(successRate),
          };
        }),
      })),
    };
  }
}

function period(totals: WindowTotals, documents: DocumentTotals): PeriodStats {
  const stats = summarize(totals);
  return {
    jobs: {
      total: stats.total,
      completed: stats.byStatus.completed,
      failed: stats.byStatus.failed,
      successRate: stats.successRate,
      avgDurationMs: stats.avgDurationMs,
    },
    documents,
  };
}
