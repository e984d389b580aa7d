import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INGESTION_JOB_KIND, jobDecider, jobStreamId, type IngestionJobInput } from '#domain';
import { handleCommand } from '#event-store';
import { startTestApp, type TestApp } from './support/app.js';
import { type FakeGitHub, repositoryPayload, startFakeGitHub, useGitHubAppEnv } from '#testing';
import { waitForJob } from './support/wait-for-job.js';

/** A small cap for the test's trees (INGESTION_MAX_TREE_ENTRIES, 500,000 by default). */
const MAX_TREE_ENTRIES = 40;

/**
 * Hostile repositories at the ingestion reactor: jobs are queued on the log directly (as the API or
 * the initial-sync step would), so these hold whatever the connect route requires.
 */
describe('ingestion of a hostile repository', () => {
  let app: TestApp;
  let github: FakeGitHub;
  let appEnv: { restore(): void };
  let jobs = 0;

  const runJob = async (githubRepoId: number, repoFullName: string) => {
    const jobId = `job_abuse_${++jobs}`;
    const input: IngestionJobInput = {
      kind: INGESTION_JOB_KIND,
      source: 'manual',
      repositoryId: null,
      githubRepoId: String(githubRepoId),
      githubInstallationId: '7',
      repoFullName,
      ref: 'main',
      afterSha: null,
      deliveryId: null,
      changedFileCount: null,
      fallbackStore: null,
    };
    await handleCommand(
      app.runtime.store,
      jobStreamId(jobId),
      jobDecider,
      {
        type: 'QueueJob',
        data: {
          jobId,
          organizationId: 'org_abuse',
          workspaceId: 'ws_abuse',
          repositoryId: null,
          name: 'Docs Ingestion',
          trigger: 'manual',
          triggeredBy: null,
          input,
          at: new Date().toISOString(),
        },
      },
      { commandId: `abuse-${jobId}` },
    );
    return waitForJob(app, jobId);
  };

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.setInstallationRepositories(7, [repositoryPayload(7101, 'evil', 'globs'), repositoryPayload(7102, 'evil', 'huge')]);
    appEnv = useGitHubAppEnv(github);
    app = await startTestApp({
      config: { githubApiUrl: github.url },
      reactors: { pollIntervalMs: 200, settings: { maxTreeEntries: MAX_TREE_ENTRIES } },
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await github?.close();
    appEnv?.restore();
  });

  it('fails a job whose lightfast.yml holds a catastrophic glob with invalid_config naming it, without compiling it', async () => {
    // Compiled and matched against the bait path, this glob would hold the event loop for hours (O(n^7)).
    const hostile = '*a*a*a*a*a*a*a*b';
    const config = `version: 1\nstore: docs\ninclude:\n  - docs/**/*.md\n  - "${hostile}"\n`;
    github.setRepository('evil', 'globs', {
      id: 7101,
      files: [
        ['lightfast.yml', config],
        [`${'a'.repeat(200)}.md`, 'bait'],
        ['docs/a.md', '# a'],
      ],
    });
    const job = await runJob(7101, 'evil/globs');
    expect(job).toMatchObject({ status: 'failed', error_code: 'invalid_config' });
    expect(job.error_message).toBe(`lightfast.yml: include[1] "${hostile}": more than 2 "*" in one path segment`);
  });

  it('fails a job whose tree has more files than the cap with tree_too_large, naming the cap and its setting, reading no blob', async () => {
    github.setRepository('evil', 'huge', {
      id: 7102,
      files: Array.from({ length: MAX_TREE_ENTRIES + 1 }, (_, i): [string, string] => [`docs/file-${i}.md`, `# ${i}`]),
    });
    const blobsBefore = github.blobsServed.count;
    const job = await runJob(7102, 'evil/huge');
    expect(job).toMatchObject({ status: 'failed', error_code: 'tree_too_large' });
    expect(job.error_message).toBe(
      `The tree of evil/huge has more than ${MAX_TREE_ENTRIES} files: this deployment reads at most ${MAX_TREE_ENTRIES} entries per job (INGESTION_MAX_TREE_ENTRIES)`,
    );
    expect(github.blobsServed.count).toBe(blobsBefore);

    // At the cap exactly, the same repository is read and indexed.
    github.updateRepositoryFiles('evil', 'huge', { remove: ['docs/file-0.md'] });
    expect(await runJob(7102, 'evil/huge')).toMatchObject({
      status: 'completed',
      output: expect.objectContaining({ treeFiles: MAX_TREE_ENTRIES, documentsIndexed: MAX_TREE_ENTRIES }),
    });
  });
});
