import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GitHubAppClients,
  InProcessCache,
  detectRepositoryConfig,
  fetchBlobText,
  readRepositoryTree,
  type GitHubAppOctokit,
} from '#adapters';
import { startDemoGitHub, type DemoGitHub } from './demo.js';

let demo: DemoGitHub;
let octokit: GitHubAppOctokit;

beforeAll(async () => {
  demo = await startDemoGitHub();
  octokit = new GitHubAppClients({ appId: demo.appId, privateKey: demo.privateKey, baseUrl: demo.url }, new InProcessCache(), {
    retries: 0,
  }).forInstallation(demo.installationId);
});

afterAll(async () => {
  await demo?.close();
});

describe('the demo GitHub', () => {
  it('lists demo/docs for the installation and the installation for the demo user', async () => {
    const repositories = await octokit.request('GET /installation/repositories');
    const installations = await fetch(`${demo.url}/user/installations`, { headers: { authorization: `token ${demo.userToken}` } }).then(
      (r) => r.json() as Promise<{ installations: Array<{ id: number }> }>,
    );

    expect(repositories.data.repositories.map((r) => r.full_name)).toEqual(['demo/docs']);
    expect(installations.installations.map((i) => String(i.id))).toEqual([demo.installationId]);
  });

  it('serves a configured repository: lightfast.yml for store docs and 30 markdown documents with titles', async () => {
    const repository = await octokit.request('GET /repos/{owner}/{repo}', { owner: 'demo', repo: 'docs' });
    const config = await detectRepositoryConfig(octokit, { owner: 'demo', repo: 'docs' });
    const tree = await readRepositoryTree(octokit, { owner: 'demo', repo: 'docs' });
    const documents = tree.files.filter((file) => /^docs\/.*\.mdx?$/.test(file.path));
    const text = await fetchBlobText(octokit, { owner: 'demo', repo: 'docs', sha: documents[0]!.sha });

    expect(repository.data).toMatchObject({ full_name: 'demo/docs', default_branch: 'main' });
    expect(config).toMatchObject({
      status: 'configured',
      configPath: 'lightfast.yml',
      config: { version: 1, store: 'docs', include: ['docs/**/*.md', 'docs/**/*.mdx'] },
    });
    expect(documents).toHaveLength(30);
    expect(tree.files.length).toBeGreaterThan(30);
    expect(text).toMatch(/^---\ntitle: .+\ndescription: .+\n---\n/);
  });
});
