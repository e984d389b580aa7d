import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { handleCommand } from '#event-store';
import { jobDecider, jobStreamId, type JobCommand } from '#domain';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * The dashboard endpoints over HTTP: shapes, read-your-writes through `minPosition`, scoping and
 * bad input. Their arithmetic is checked against brute force in job-stats.property.spec.ts.
 */
describe('workspace analytics over HTTP', () => {
  let app: TestApp;
  let token: string;
  let position: string;
  const base = '/v1/orgs/stats/workspaces/docs';
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.token({ org: 'stats' });
    const created = await app.request('POST', '/v1/orgs/stats/workspaces', { token, body: { name: 'docs' } });
    const workspaceId: string = created.body.workspaceId;
    // Three jobs in the last day: completed (60 s), failed while running, still queued.
    const histories: Array<[string, JobCommand[]]> = [
      ['a', [queue('a', workspaceId, iso(3_600_000)), { type: 'StartJob', data: { at: iso(3_590_000) } }, { type: 'CompleteJob', data: { at: iso(3_530_000), output: {} } }]],
      ['b', [queue('b', workspaceId, iso(7_200_000)), { type: 'StartJob', data: { at: iso(7_100_000) } }, { type: 'FailJob', data: { at: iso(7_000_000), error: { message: 'boom', code: null } } }]],
      ['c', [queue('c', workspaceId, iso(60_000))]],
    ];
    for (const [id, commands] of histories) {
      const result = await handleCommand(app.runtime.store, jobStreamId(`job-${id}`), jobDecider, commands, { commandId: `seed-${id}` });
      position = result.position!;
    }
  }, 60_000);

  afterAll(async () => app?.close());

  const queue = (id: string, workspaceId: string, at: string): JobCommand => ({
    type: 'QueueJob',
    data: { jobId: `job-${id}`, organizationId: 'org_local_stats', workspaceId, repositoryId: 'repo-1', name: `Job ${id}`, trigger: 'manual', triggeredBy: null, input: {}, at },
  });

  it('answers jobs.statistics from the read models once they reached the position', async () => {
    const { status, body } = await app.request('GET', `${base}/jobs/statistics?hours=24&minPosition=${position}`, { token });
    expect(status).toBe(200);
    expect(body).toEqual({ total: 3, byStatus: { queued: 1, running: 0, completed: 1, failed: 1, cancelled: 0 }, avgDurationMs: 60_000, successRate: 50 });
  });

  it('answers percentiles, time series, recent jobs, statistics, health and the workspace list', async () => {
    const q = `minPosition=${position}`;
    const percentiles = await app.request('GET', `${base}/jobs/percentiles?range=7d&${q}`, { token });
    expect(percentiles.body).toMatchObject({ hasData: true, max: 60_000, sampleSize: 1 });
    expect(Math.abs(percentiles.body.p50 - 60_000) / 60_000).toBeLessThanOrEqual(0.01);

    const before = new Date().toISOString().slice(0, 13);
    const series = await app.request('GET', `${base}/jobs/timeseries?range=24h&${q}`, { token });
    const after = new Date().toISOString().slice(0, 13);
    expect(series.body).toHaveLength(24);
    expect(series.body.reduce((sum: number, p: { jobCount: number }) => sum + p.jobCount, 0)).toBe(3);
    expect([before, after]).toContain(series.body.at(-1).timestamp); // the current hour, even if it just turned

    const recent = await app.request('GET', `${base}/jobs/recent?limit=2&${q}`, { token });
    expect(recent.body.map((j: { id: string }) => j.id)).toEqual(['job-c', 'job-a']);

    const statistics = await app.request('GET', `${base}/statistics?${q}`, { token });
    expect(statistics.body.jobs).toMatchObject({ total: 3, completed: 1, failed: 1, successRate: 50, avgDurationMs: 60_000 });
    expect(statistics.body.jobs.recent).toHaveLength(3);
    expect(statistics.body.documents).toEqual({ total: 0, chunks: 0 });

    const health = await app.request('GET', `${base}/health?${q}`, { token });
    expect(health.body).toMatchObject({ workspaceHealth: 'down', totalJobs24h: 3 });

    const list = await app.request('GET', `/v1/orgs/stats/workspaces?${q}`, { token });
    expect(list.body[0].lastActivity).toBe(iso(60_000));
  });

  it('compares two ranges with percentage changes as the original defines them', async () => {
    const ranges = `currentStart=${iso(3 * 3_600_000)}&currentEnd=${new Date(now).toISOString()}&previousStart=${iso(48 * 3_600_000)}&previousEnd=${iso(24 * 3_600_000)}`;
    const { status, body } = await app.request('GET', `${base}/statistics/compare?${ranges}&minPosition=${position}`, { token });
    expect(status).toBe(200);
    expect(body.current.jobs).toMatchObject({ total: 3, completed: 1, failed: 1 });
    expect(body.previous.jobs).toMatchObject({ total: 0, completed: 0 });
    expect(body.changes.jobs).toMatchObject({ total: 100, completed: 100, failed: 100, successRate: -50 });
  });

  it.each([
    ['jobs/statistics?hours=0', 'hours'],
    ['jobs/statistics?hours=1.5', 'hours'],
    ['jobs/statistics?hours=abc', 'hours'],
    ['jobs/statistics?hours=87601', 'hours'],
    ['jobs/recent?limit=51', 'limit'],
    ['jobs/percentiles?range=1y', 'range'],
    ['jobs/timeseries?range=', 'range'],
    ['statistics/compare?currentStart=2026-01-01T00:00:00Z&currentEnd=2026-01-02T00:00:00Z&previousStart=2025-12-31T00:00:00Z', 'previousEnd'],
    ['statistics/compare?currentStart=yesterday&currentEnd=2026-01-02T00:00:00Z&previousStart=2025-12-31T00:00:00Z&previousEnd=2026-01-01T00:00:00Z', 'currentStart'],
    ['statistics/compare?currentStart=2026-01-03T00:00:00Z&currentEnd=2026-01-02T00:00:00Z&previousStart=2025-12-31T00:00:00Z&previousEnd=2026-01-01T00:00:00Z', 'currentEnd'],
    ['health?verbose=1', 'verbose'],
  ])('refuses %s with a 400 naming %s', async (path, field) => {
    const { status, body } = await app.request('GET', `${base}/${path}`, { token });
    expect(status).toBe(400);
    expect(JSON.stringify(body.error)).toContain(field);
  });

  it('scopes every analytics route to the caller organization', async () => {
    const outsider = await app.token({ org: 'elsewhere' });
    for (const path of ['jobs/statistics', 'jobs/percentiles', 'jobs/timeseries', 'jobs/recent', 'statistics', 'health']) {
      expect((await app.request('GET', `${base}/${path}`, { token: outsider })).status).toBe(403);
      expect((await app.request('GET', `${base}/${path}`)).status).toBe(401);
    }
    expect((await app.request('GET', `/v1/orgs/stats/workspaces/missing/jobs/statistics`, { token })).status).toBe(404);
  });
});
