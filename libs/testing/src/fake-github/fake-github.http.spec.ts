import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import { generateKeyPairSync } from 'node:crypto';
import { GitHubAppClients, InProcessCache, type GitHubAppOctokit } from '#adapters';
import { repositoryPayload, startFakeGitHub, type FakeGitHub } from './fake-github.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

let github: FakeGitHub;
let octokit: GitHubAppOctokit;

beforeAll(async () => {
  github = await startFakeGitHub();
  github.setApp({ appId: '7', publicKey });
  github.setInstallationRepositories('70', [repositoryPayload(7001, 'acme', 'site'), repositoryPayload(7002, 'acme', 'contents')]);
  octokit = new GitHubAppClients({ appId: '7', privateKey, baseUrl: github.url }, new InProcessCache(), { retries: 0 }).forInstallation(
    '70',
  );
});

afterAll(async () => {
  await github?.close();
});

describe('the fake GitHub git data', () => {
  it('answers a repository with the id an installation lists it under and its default branch', async () => {
    github.setRepository('acme', 'site', { defaultBranch: 'trunk', files: [['a.md', 'a']] });

    const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'site' });

    expect(data).toMatchObject({ id: 7001, full_name: 'acme/site', default_branch: 'trunk' });
  });

  it('answers contents at a ref from the same commits as the git data', async () => {
    const first = github.setRepository('acme', 'contents', {
      files: [
        ['docs/a.md', 'one'],
        ['lightfast.yml', 'version: 1\n'],
      ],
    });
    const second = github.updateRepositoryFiles('acme', 'contents', { upsert: { 'docs/a.md': 'two', 'docs/b.md': 'b' } });
    const read = async (path: string, ref?: string) =>
      (
        await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
          owner: 'acme',
          repo: 'contents',
          path,
          ...(ref ? { ref } : {}),
        })
      ).data as any;

    const old = await read('docs/a.md', first);
    const head = await read('docs/a.md');
    const listing = await read('docs', second);
    const commit = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner: 'acme', repo: 'contents', ref: 'main' });

    expect(Buffer.from(old.content, 'base64').toString()).toBe('one');
    expect(Buffer.from(head.content, 'base64').toString()).toBe('two');
    expect(listing.map((entry: { path: string; type: string }) => [entry.path, entry.type])).toEqual([
      ['docs/a.md', 'file'],
      ['docs/b.md', 'file'],
    ]);
    expect(head.sha).toBe(listing[0].sha);
    expect(commit.data).toMatchObject({ sha: second, parents: [{ sha: first }] });
    await expect(read('docs/a.md', 'no-such-ref')).rejects.toMatchObject({ status: 404 });
  });

  it('shows an installation only the repositories it was given, by name and by id', async () => {
    github.setRepository('other', 'hidden', { files: [['a.md', 'a']] });

    await expect(octokit.request('GET /repos/{owner}/{repo}', { owner: 'other', repo: 'hidden' })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.request('GET /repositories/{repository_id}', { repository_id: 999_999 })).rejects.toMatchObject({ status: 404 });
    const { data } = await octokit.request('GET /repositories/{repository_id}', { repository_id: 7001 });
    expect(data).toMatchObject({ id: 7001, full_name: 'acme/site', default_branch: 'trunk' });
  });

  it('refuses git data without an installation token', async () => {
    github.setRepository('acme', 'private', { files: [['a.md', 'a']] });

    await expect(
      new Octokit({ baseUrl: github.url, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } }).request(
        'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
        { owner: 'acme', repo: 'private', tree_sha: 'main' },
      ),
    ).rejects.toMatchObject({ status: 401 });
  });
});
