import { JOB_STATUSES } from '#domain';
import { summarize, type SourceJobTotals, type WorkspaceSource } from '#read-models';

/**
 * Each job group goes to one source: the source of the repository it names (how the original
 * matched, `jobs.repositoryId === source.id`), else the source of its input's GitHub repository
 * (an initial sync of a resource with no connected repository names none). Counted once either way.
 */
export function successRateBySource(sources: readonly WorkspaceSource[], jobs: readonly SourceJobTotals[]): Map<string, number> {
  const byRepository = new Map(sources.flatMap((s) => (s.repositoryId ? [[s.repositoryId, s] as const] : [])));
  const byGitHubRepo = new Map(sources.map((s) => [s.githubRepoId, s]));
  const totals = new Map<string, { total: number; completed: number; failed: number; cancelled: number }>();
  for (const group of jobs) {
    const source =
      (group.repositoryId && byRepository.get(group.repositoryId)) || (group.githubRepoId && byGitHubRepo.get(group.githubRepoId)) || null;
    if (!source) continue;
    const sum = totals.get(source.id) ?? { total: 0, completed: 0, failed: 0, cancelled: 0 };
    totals.set(source.id, {
      total: sum.total + group.total,
      completed: sum.completed + group.completed,
      failed: sum.failed + group.failed,
      cancelled: sum.cancelled + group.cancelled,
    });
  }
  return new Map(
    sources.map((source) => {
      const t = totals.get(source.id) ?? { total: 0, completed: 0, failed: 0, cancelled: 0 };
      const byStatus = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<(typeof JOB_STATUSES)[number], number>;
      // Same rate as the workspace's (finished jobs only, 100 with none), so the two compare.
      return [
        source.id,
        summarize({
          total: t.total,
          byStatus: { ...byStatus, completed: t.completed, failed: t.failed, cancelled: t.cancelled },
          durationSumMs: 0,
          durationCount: 0,
        }).successRate,
      ];
    }),
  );
}
