import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { repositoryPayload, startFakeGitHub, type FakeGitHub, trackRequestsInFlight } from '#testing';
import { InProcessCache } from './cache.js';
import { GitHubAppClients, type GitHubAppOctokit } from './github-app.client.js';
import { RepositoryTreeTooLarge, readRepositoryTree } from './repository-tree.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const appId = '515151';
const installationId = '51';

let github: FakeGitHub;
let octokit: GitHubAppOctokit;

beforeAll(async () => {
  github = await startFakeGitHub();
  github.setApp({ appId, publicKey });
  github.setInstallationRepositories(installationId, [repositoryPayload(5100, 'acme', 'docs')]);
  octokit = client();
});

afterEach(() => github.setTreeListing({ entryLimit: 100_000, byteLimit: 7 * 1024 * 1024, order: 'depth-first' }));

afterAll(async () => {
  await github?.close();
});

/** A client with its own response cache, so a test's first requests are never answered by 304s of another's. */
function client(): GitHubAppOctokit {
  return new GitHubAppClients({ appId, privateKey, baseUrl: github.url }, new InProcessCache(), { retries: 0 }).forInstallation(
    installationId,
  );
}

const COMMIT = 'GET /repos/{owner}/{repo}/commits/{ref}';
const RECURSIVE = 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}?recursive=1';
const LEVEL = 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}';

/** Calls per route from now on. */
function countCalls(): () => Record<string, number> {
  const before = new Map(github.routes);
  return () => Object.fromEntries([...github.routes].map(([route, n]) => [route, n - (before.get(route) ?? 0)]).filter(([, n]) => n !== 0));
}

function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function expected(files: Record<string, string>) {
  return Object.entries(files)
    .map(([path, content]) => ({ path, sha: blobSha(content), size: Buffer.byteLength(content) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** docs/api and docs/guide (30 files each), docs/index.md, src/lib (20 files), src/deep/a/b/c.md, README.md: 90 entries. */
function nestedFiles(): Record<string, string> {
  const files: Record<string, string> = { 'README.md': '# readme\n', 'docs/index.md': '# index\n', 'src/deep/a/b/c.md': 'deep' };
  for (let i = 0; i < 30; i++) files[`docs/api/page-${String(i).padStart(2, '0')}.md`] = `# API ${i}\n`;
  for (let i = 0; i < 30; i++) files[`docs/guide/page-${String(i).padStart(2, '0')}.mdx`] = `# Guide ${i}\n`;
  for (let i = 0; i < 20; i++) files[`src/lib/module-${i}.ts`] = `export const n = ${i};\n`;
  return files;
}

describe('reading a repository tree', () => {
  it('reads a small tree in two calls: the commit, then one recursive listing', async () => {
    const files = { 'README.md': '# hello\n', 'docs/a.md': 'a', 'docs/nested/b.mdx': 'ü — non-ASCII', 'lightfast.yml': 'version: 1\n' };
    const commitSha = github.setRepository('acme', 'small', { files: Object.entries(files) });
    const calls = countCalls();

    const tree = await readRepositoryTree(octokit, { owner: 'acme', repo: 'small' });

    expect(tree).toEqual({ commitSha, files: expected(files), truncated: false, requests: 2 });
    expect(calls()).toEqual({ [COMMIT]: 1, [RECURSIVE]: 1 });
  });

  it('reads the default branch after an update, and an older commit by its SHA or a branch by name', async () => {
    const first = github.setRepository('acme', 'moving', {
      defaultBranch: 'trunk',
      files: [
        ['a.md', 'one'],
        ['b/c.md', 'two'],
      ],
    });
    const second = github.updateRepositoryFiles('acme', 'moving', { upsert: { 'a.md': 'changed', 'd.md': 'new' }, remove: ['b/c.md'] });

    const head = await readRepositoryTree(octokit, { owner: 'acme', repo: 'moving' });
    const byName = await readRepositoryTree(octokit, { owner: 'acme', repo: 'moving', ref: 'trunk' });
    const old = await readRepositoryTree(octokit, { owner: 'acme', repo: 'moving', ref: first });

    expect(second).not.toBe(first);
    expect(head).toMatchObject({ commitSha: second, files: expected({ 'a.md': 'changed', 'd.md': 'new' }) });
    expect(byName.commitSha).toBe(second);
    expect(old).toMatchObject({ commitSha: first, files: expected({ 'a.md': 'one', 'b/c.md': 'two' }) });
  });

  it('rejects an unknown ref with the status GitHub answers', async () => {
    github.setRepository('acme', 'refs', { files: [['a.md', 'a']] });

    await expect(readRepositoryTree(octokit, { owner: 'acme', repo: 'refs', ref: 'no-such-branch' })).rejects.toMatchObject({
      status: 422,
    });
    await expect(readRepositoryTree(octokit, { owner: 'acme', repo: 'missing' })).rejects.toMatchObject({ status: 404 });
  });

  it('revalidates an unchanged tree with a 304 and returns the same files', async () => {
    github.setRepository('acme', 'again', { files: Object.entries(nestedFiles()) });
    const first = await readRepositoryTree(octokit, { owner: 'acme', repo: 'again' });
    const treeSha = (await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner: 'acme', repo: 'again', ref: 'HEAD' })).data
      .commit.tree.sha;
    const revalidations = () => github.notModified.get(`GET /repos/acme/again/git/trees/${treeSha}`) ?? 0;
    const before = revalidations();

    const second = await readRepositoryTree(octokit, { owner: 'acme', repo: 'again' });

    expect(second).toEqual(first);
    expect(revalidations()).toBe(before + 1);
  });
});

describe('reading a tree GitHub truncates', () => {
  it('returns the same files as an untruncated listing, reusing the complete part of the truncated one', async () => {
    const files = nestedFiles();
    github.setRepository('acme', 'nested', { files: Object.entries(files) });
    const whole = await readRepositoryTree(client(), { owner: 'acme', repo: 'nested' });
    github.setTreeListing({ entryLimit: 50 });
    const calls = countCalls();

    const walked = await readRepositoryTree(client(), { owner: 'acme', repo: 'nested' });

    expect(whole).toMatchObject({ truncated: false, requests: 2 });
    expect(walked).toEqual({ ...whole, truncated: true, requests: 6 });
    expect(walked.files).toEqual(expected(files));
    // Root recursive (truncated after docs/api and part of docs/guide); root, docs and docs/guide
    // one level each; src, absent from the truncated listing, recursively.
    expect(calls()).toEqual({ [COMMIT]: 1, [RECURSIVE]: 2, [LEVEL]: 3 });
  });

  it('does not rely on the listing order: a breadth-first truncated listing costs more calls, never files', async () => {
    const files = nestedFiles();
    github.setRepository('acme', 'breadth', { files: Object.entries(files) });
    github.setTreeListing({ entryLimit: 50, order: 'breadth-first' });
    const octokit = client();
    const inFlight = trackRequestsInFlight(octokit);
    const calls = countCalls();

    const walked = await readRepositoryTree(octokit, { owner: 'acme', repo: 'breadth', concurrency: 2 });

    expect(walked.files).toEqual(expected(files));
    // Root recursive (truncated, unusable), root level, docs recursive (63 entries: truncated,
    // unusable), docs level, docs/api, docs/guide and src recursively.
    expect(calls()).toEqual({ [COMMIT]: 1, [RECURSIVE]: 5, [LEVEL]: 2 });
    expect(walked.requests).toBe(8);
    expect(inFlight.max()).toBe(2);
  });

  it('stops at the entry cap as soon as it is passed, asking for no further listing', async () => {
    github.setRepository('acme', 'capped', { files: Object.entries(nestedFiles()) });
    // 83 files (and 7 directories): the cap counts files, inclusively.
    expect((await readRepositoryTree(client(), { owner: 'acme', repo: 'capped', maxEntries: 83 })).files).toHaveLength(83);
    await expect(readRepositoryTree(client(), { owner: 'acme', repo: 'capped', maxEntries: 82 })).rejects.toThrow(
      new RepositoryTreeTooLarge('acme/capped', 82),
    );

    github.setTreeListing({ entryLimit: 50 });
    const calls = countCalls();
    const reading = readRepositoryTree(client(), { owner: 'acme', repo: 'capped', maxEntries: 10, concurrency: 1 });
    await expect(reading).rejects.toMatchObject({
      name: 'RepositoryTreeTooLarge',
      maxEntries: 10,
      message: 'The tree of acme/capped has more than 10 files',
    });
    // The commit, the truncated root listing, the root's and docs' levels; the eleventh file (in
    // docs/api, known from the truncated listing) stops the walk before docs/guide or src is listed.
    expect(calls()).toEqual({ [COMMIT]: 1, [RECURSIVE]: 1, [LEVEL]: 2 });
  });

  it('fails, rather than return part of it, on a directory with more entries than GitHub lists', async () => {
    github.setRepository('acme', 'flat', { files: Array.from({ length: 60 }, (_, i) => [`flat/f${i}.md`, `${i}`] as [string, string]) });
    github.setTreeListing({ entryLimit: 50 });

    await expect(readRepositoryTree(client(), { owner: 'acme', repo: 'flat' })).rejects.toThrow(
      'GitHub truncated the listing of directory "flat/" in acme/flat',
    );
  });

  it.each([
    [100_000, 'GitHub limits (100,000 entries or 7 MB)', 7 * 1024 * 1024],
    [120_000, 'GitHub limits (100,000 entries or 7 MB)', 7 * 1024 * 1024],
    [120_000, 'the entry limit alone', Number.POSITIVE_INFINITY],
  ])('reads a %d-file repository completely under %s', async (count, _limits, byteLimit) => {
    // packages/pNNN/docs/sN/fNN.md: 1,000 files and 1,012 entries per package.
    const name = `large-${count}-${byteLimit}`;
    github.setTreeListing({ byteLimit });
    const contentOf = (i: number) => `# File ${i}\n`;
    const pathOf = (i: number) =>
      `packages/p${String(Math.floor(i / 1000)).padStart(3, '0')}/docs/s${Math.floor(i / 100) % 10}/f${String(i % 100).padStart(2, '0')}.md`;
    let started = performance.now();
    github.setRepository('acme', name, {
      files: (function* () {
        for (let i = 0; i < count; i++) yield [pathOf(i), contentOf(i)] as const;
      })(),
    });
    const seeded = performance.now() - started;
    const calls = countCalls();

    started = performance.now();
    const tree = await readRepositoryTree(client(), { owner: 'acme', repo: name });
    const walked = performance.now() - started;

    expect(tree.files).toHaveLength(count);
    expect(tree.truncated).toBe(true);
    let mismatches = 0;
    const byPath = new Map(tree.files.map((file) => [file.path, file]));
    for (let i = 0; i < count; i++) {
      const file = byPath.get(pathOf(i));
      if (file?.sha !== blobSha(contentOf(i)) || file.size !== Buffer.byteLength(contentOf(i))) mismatches++;
    }
    expect(mismatches).toBe(0);
    // Listing directory by directory would take over 1,100 calls.
    expect(tree.requests).toBeLessThan(count / 1000);
    console.log(
      `[tree] ${count} files, ${_limits}: seeded in ${seeded.toFixed(0)} ms, walked in ${walked.toFixed(0)} ms with ${tree.requests} GitHub calls ${JSON.stringify(calls())}`,
    );
  });
});

describe('conditional requests on tree listings', () => {
  const notModified = () => [...github.notModified.values()].reduce((a, b) => a + b, 0);

  it('revalidates a small listing with a free 304, and does not keep a listing over 1 MiB in the cache', async () => {
    github.setRepository('acme', 'small', {
      files: [
        ['a.md', 'a'],
        ['b/c.md', 'c'],
      ],
    });
    const files: Array<[string, string]> = Array.from({ length: 12_000 }, (_, i) => [`docs/section-${i % 40}/page-${i}.md`, `page ${i}`]);
    github.setRepository('acme', 'large', { files });
    const octokit = client();

    await readRepositoryTree(octokit, { owner: 'acme', repo: 'small' });
    const before = notModified();
    await readRepositoryTree(octokit, { owner: 'acme', repo: 'small' });
    expect(notModified() - before).toBe(2); // the commit and the recursive tree

    await readRepositoryTree(octokit, { owner: 'acme', repo: 'large' });
    const beforeLarge = notModified();
    const again = await readRepositoryTree(octokit, { owner: 'acme', repo: 'large' });
    // The commit is small and answered 304; the 2.5 MB listing was not kept, so it comes again in full.
    expect(notModified() - beforeLarge).toBe(1);
    expect(again.files).toHaveLength(12_000);
  });
});
