import { describe, expect, it } from '@jest/globals';
import { seedJobsCommandLine } from './seed-jobs.js';

describe('seedJobsCommandLine', () => {
  it('repeats the run with --now fixed, so the jobs still to write get the timestamps they would have had', () => {
    expect(
      seedJobsCommandLine({
        org: 'acme',
        workspace: 'docs',
        jobs: 10_000,
        days: 30,
        seed: 7,
        now: new Date('2026-11-01T12:30:00Z'),
        concurrency: 8,
      }),
    ).toBe(
      'npm run console -- seed-jobs --org acme --workspace docs --jobs 10000 --days 30 --seed 7 --now 2026-11-01T12:30:00.000Z --concurrency 8',
    );
  });

  it('quotes words the shell would split or expand', () => {
    const line = seedJobsCommandLine({
      org: 'acme',
      workspace: "Bob's docs $HOME",
      jobs: 1,
      days: 1,
      seed: 1,
      now: new Date(0),
      concurrency: 1,
    });
    expect(line).toContain(`--workspace 'Bob'\\''s docs $HOME' --jobs`);
  });
});
