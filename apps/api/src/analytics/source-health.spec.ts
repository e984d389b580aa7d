import { describe, expect, it } from '@jest/globals';
import type { SourceJobTotals, WorkspaceSource } from '#read-models';
import { successRateBySource } from './source-health.js';

const source = (id: string, githubRepoId: string, repositoryId: string | null) => ({ id, githubRepoId, repositoryId }) as WorkspaceSource;
const jobs = (
  repositoryId: string | null,
  githubRepoId: string | null,
  completed: number,
  failed: number,
  running = 0,
): SourceJobTotals => ({
  repositoryId,
  githubRepoId,
  total: completed + failed + running,
  completed,
  failed,
  cancelled: 0,
});

describe('successRateBySource', () => {
  const sources = [source('repo-a', '1', 'repo-a'), source('res-b', '2', null)];

  it('matches jobs by repository id first, then by the GitHub repository of their input', () => {
    const rates = successRateBySource(sources, [jobs('repo-a', '2', 1, 1), jobs(null, '2', 3, 0)]);
    // The first group names repo-a: it counts there only, not also under the source of repo 2.
    expect(rates).toEqual(
      new Map([
        ['repo-a', 50],
        ['res-b', 100],
      ]),
    );
  });

  it('counts finished jobs only and gives 100 to a source with none, as the workspace rate', () => {
    expect(successRateBySource(sources, [jobs('repo-a', null, 0, 0, 4), jobs('elsewhere', '9', 0, 5)])).toEqual(
      new Map([
        ['repo-a', 100],
        ['res-b', 100],
      ]),
    );
  });
});
