import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bannerSession } from '../apps/standalone/src/local-organization.js';
import { setUpDemo, startDemoGitHubFromArgs } from '../apps/standalone/src/demo.js';
import type { DemoGitHub } from '#testing';
import { startTestApp, type TestApp } from './support/app.js';
import { waitForJob } from './support/wait-for-job.js';

/**
 * `npm start -- --demo` as far as one process can run it: the demo GitHub, the banner organization,
 * then `setUpDemo` over HTTP (the demo user connects GitHub through the OAuth round, connects the
 * repository with nothing but its ids, reindexes it, creates an API key), then a search with that key.
 */
describe('npm start --demo', () => {
  let app: TestApp;
  let demo: DemoGitHub;
  const env: NodeJS.ProcessEnv = {};
  const saved = { id: process.env.GITHUB_APP_ID, key: process.env.GITHUB_APP_PRIVATE_KEY };

  beforeAll(async () => {
    demo = (await startDemoGitHubFromArgs(['--demo'], env))!;
    // The App is read from the process environment when the api starts, as `npm start` sets it.
    process.env.GITHUB_APP_ID = env.GITHUB_APP_ID;
    process.env.GITHUB_APP_PRIVATE_KEY = env.GITHUB_APP_PRIVATE_KEY;
    app = await startTestApp({
      reactors: true,
      config: {
        githubApiUrl: env.GITHUB_API_URL!,
        githubWebhookSecret: env.GITHUB_WEBHOOK_SECRET,
        githubOAuth: { clientId: env.GITHUB_CLIENT_ID!, clientSecret: env.GITHUB_CLIENT_SECRET!, webUrl: env.GITHUB_WEB_URL! },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await demo?.github.close();
    for (const [name, value] of [
      ['GITHUB_APP_ID', saved.id],
      ['GITHUB_APP_PRIVATE_KEY', saved.key],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('connects and indexes the demo repository, and its API key finds its pages', async () => {
    const { token } = await bannerSession(app.runtime);
    const setup = await setUpDemo(app.baseUrl, token, demo);

    const job = await waitForJob(app, setup.jobId);
    expect(job.status).toBe('completed');
    const head = await app.runtime.store.headPosition();
    const installations = await app.request('GET', `/v1/orgs/acme/github/installations?minPosition=${head}`, { token });
    expect(installations.body).toEqual([
      expect.objectContaining({ installationId: demo.installationId, via: 'member_token', boundBy: 'user_local' }),
    ]);
    const search = await app.request('POST', `/v1/search?minPosition=${head}`, {
      token: setup.apiKey,
      headers: { 'x-workspace-id': setup.workspaceId },
      body: { query: 'blob sha', topK: 3, filters: { labels: ['store:docs'] } },
    });
    expect(search.status).toBe(200);
    expect(search.body.results.length).toBeGreaterThan(0);
  }, 60_000);
});
