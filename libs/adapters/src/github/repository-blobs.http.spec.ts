import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { repositoryPayload, startFakeGitHub, type FakeGitHub, trackRequestsInFlight } from '#testing';
import { InProcessCache } from './cache.js';
import { GitHubAppClients, type GitHubAppOctokit } from './github-app.client.js';
import { BLOBS_PER_QUERY, fetchBlobText, fetchBlobTextsByQuery, fetchBlobs, fetchFilesByQuery } from './repository-blobs.js';
import { readRepositoryTree } from './repository-tree.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const appId = '525252';
const installationId = '52';
const BLOB = 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}';

const files: Record<string, string> = {
  'docs/long.md': `---\ntitle: Long\n---\n\n${'A line of documentation that wraps in base64. '.repeat(40)}\n`,
  'docs/unicode.md': '# Überblick — 概要 🚀\n',
  'docs/empty.md': '',
};
for (let i = 0; i < 25; i++) files[`docs/many/page-${i}.md`] = `# Page ${i}\n`;

let github: FakeGitHub;

beforeAll(async () => {
  github = await startFakeGitHub();
  github.setApp({ appId, publicKey });
  github.setInstallationRepositories(installationId, [repositoryPayload(5200, 'acme', 'blobs')]);
  github.setRepository('acme', 'blobs', { files: Object.entries(files) });
});

afterAll(async () => {
  await github?.close();
});

function client(): GitHubAppOctokit {
  return new GitHubAppClients({ appId, privateKey, baseUrl: github.url }, new InProcessCache(), { retries: 0 }).forInstallation(
    installationId,
  );
}

async function shaOf(octokit: GitHubAppOctokit, path: string): Promise<string> {
  const tree = await readRepositoryTree(octokit, { owner: 'acme', repo: 'blobs' });
  return tree.files.find((file) => file.path === path)!.sha;
}

describe('fetching blobs', () => {
  it.each(Object.keys(files).filter((path) => !path.includes('/many/')))('returns %s exactly as committed', async (path) => {
    const octokit = client();

    const text = await fetchBlobText(octokit, { owner: 'acme', repo: 'blobs', sha: await shaOf(octokit, path) });

    expect(text).toBe(files[path]);
  });

  it('gets a 304, free of rate limit, when it revalidates a blob by its ETag', async () => {
    const octokit = client();
    const sha = await shaOf(octokit, 'docs/unicode.md');
    const route = { owner: 'acme', repo: 'blobs', file_sha: sha };
    const first = await octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', route);
    const before = github.notModified.get(`GET /repos/acme/blobs/git/blobs/${sha}`) ?? 0;

    const again = octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
      ...route,
      headers: { 'if-none-match': first.headers.etag },
    });

    await expect(again).rejects.toMatchObject({
      status: 304,
      response: { headers: { 'x-ratelimit-remaining': first.headers['x-ratelimit-remaining'] } },
    });
    expect(github.notModified.get(`GET /repos/acme/blobs/git/blobs/${sha}`)).toBe(before + 1);
  });

  it('rejects an unknown blob with 404', async () => {
    await expect(fetchBlobText(client(), { owner: 'acme', repo: 'blobs', sha: '0'.repeat(40) })).rejects.toMatchObject({ status: 404 });
  });

  it('fetches many blobs with bounded concurrency, one call each', async () => {
    const octokit = client();
    const many = (await readRepositoryTree(octokit, { owner: 'acme', repo: 'blobs' })).files.filter((file) =>
      file.path.startsWith('docs/many/'),
    );
    const inFlight = trackRequestsInFlight(octokit);
    const calls = github.routes.get(BLOB) ?? 0;
    const texts = new Map<string, string>();

    await fetchBlobs(
      octokit,
      { owner: 'acme', repo: 'blobs', files: many, concurrency: 3 },
      (file, text) => void texts.set(file.path, text),
    );

    expect(many).toHaveLength(25);
    expect(Object.fromEntries(texts)).toEqual(Object.fromEntries(many.map((file) => [file.path, files[file.path]])));
    expect((github.routes.get(BLOB) ?? 0) - calls).toBe(25);
    expect(inFlight.max()).toBe(3);
  });
});

describe('blobs by GraphQL query', () => {
  it('reads many blobs in one query per 50, with binary blobs as null, every text equal to its REST read', async () => {
    const many: Array<[string, string]> = Array.from({ length: 120 }, (_, i) => [`docs/p-${i}.md`, `# Page ${i}\n${'words '.repeat(i)}`]);
    github.setRepository('acme', 'graph', { files: [...many, ['docs/logo.md', 'PNG\u0000binary']] });
    const octokit = client();
    const tree = await readRepositoryTree(octokit, { owner: 'acme', repo: 'graph' });
    const queriesBefore = github.routes.get('POST /graphql') ?? 0;
    const texts = await fetchBlobTextsByQuery(octokit, { owner: 'acme', repo: 'graph', shas: tree.files.map((f) => f.sha) });
    expect((github.routes.get('POST /graphql') ?? 0) - queriesBefore).toBe(Math.ceil(121 / BLOBS_PER_QUERY));
    const byPath = new Map(tree.files.map((f) => [f.path, texts.get(f.sha)]));
    expect(byPath.get('docs/logo.md')).toBeNull();
    for (const [path, content] of many) expect(byPath.get(path)).toBe(content);
    expect(byPath.get('docs/p-7.md')).toBe(
      await fetchBlobText(octokit, { owner: 'acme', repo: 'graph', sha: tree.files.find((f) => f.path === 'docs/p-7.md')!.sha }),
    );
  });

  it('refuses what is not a git object id before building a query, and fails on a blob the repository lacks', async () => {
    const octokit = client();
    await expect(fetchBlobTextsByQuery(octokit, { owner: 'acme', repo: 'graph', shas: ['abc") { x } #'] })).rejects.toThrow(
      'Not a git object id',
    );
    await expect(fetchBlobTextsByQuery(octokit, { owner: 'acme', repo: 'graph', shas: ['0'.repeat(40)] })).rejects.toThrow(/not found/);
  });
});

describe('files of a commit by GraphQL query', () => {
  const committedDate = async (octokit: GitHubAppOctokit, ref: string) =>
    (await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner: 'acme', repo: 'history', ref })).data.commit.committer!
      .date!;

  it('reads each text and the date of the last commit that changed the file, up to the commit read, in the blob queries', async () => {
    const first = github.setRepository('acme', 'history', {
      files: [
        ...Array.from({ length: 60 }, (_, i): [string, string] => [`docs/p-${i}.md`, `# Page ${i}\n`]),
        ['docs/same-a.md', 'same'],
        ['docs/"quoted" $name) {.md', 'a path that must not be spliced into the query'],
      ],
    });
    const second = github.updateRepositoryFiles('acme', 'history', {
      upsert: { 'docs/p-1.md': '# Page 1, changed\n', 'docs/same-b.md': 'same' },
    });
    // A later commit changes p-2: reading at `second` still names the commit before it.
    github.updateRepositoryFiles('acme', 'history', { upsert: { 'docs/p-2.md': '# Page 2, changed\n' } });
    const octokit = client();
    const tree = await readRepositoryTree(octokit, { owner: 'acme', repo: 'history', ref: second });
    const queriesBefore = github.routes.get('POST /graphql') ?? 0;
    const read = await fetchFilesByQuery(octokit, { owner: 'acme', repo: 'history', commitSha: second, files: tree.files });

    expect(read.queries).toBe(Math.ceil(tree.files.length / BLOBS_PER_QUERY));
    expect((github.routes.get('POST /graphql') ?? 0) - queriesBefore).toBe(read.queries);
    expect(read.files.size).toBe(63);
    const [firstDate, secondDate] = [await committedDate(octokit, first), await committedDate(octokit, second)];
    expect(firstDate < secondDate).toBe(true);
    expect(read.files.get('docs/p-1.md')).toEqual({ text: '# Page 1, changed\n', committedAt: secondDate });
    expect(read.files.get('docs/p-2.md')).toEqual({ text: '# Page 2\n', committedAt: firstDate });
    expect(read.files.get('docs/p-59.md')).toEqual({ text: '# Page 59\n', committedAt: firstDate });
    // Two paths of one blob: one blob, each its own history.
    expect(read.files.get('docs/same-a.md')).toEqual({ text: 'same', committedAt: firstDate });
    expect(read.files.get('docs/same-b.md')).toEqual({ text: 'same', committedAt: secondDate });
    expect(read.files.get('docs/"quoted" $name) {.md')?.committedAt).toBe(firstDate);
  });

  it('refuses what is not a git object id before building a query', async () => {
    await expect(
      fetchFilesByQuery(client(), { owner: 'acme', repo: 'history', commitSha: 'HEAD', files: [{ path: 'a.md', sha: '0'.repeat(40) }] }),
    ).rejects.toThrow('Not a git object id');
  });
});
