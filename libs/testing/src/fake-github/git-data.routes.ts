import type { ServerResponse } from 'node:http';
import type { BlobGates } from './blob-gate.js';
import type { FakeGitHubState } from './fake-github.state.js';
import type { GitRepository, TreeEntry, TreeOrder } from './git-repository.js';
import { commitPayload, repositoryPayload } from './github-payloads.js';
import type { FileUpdate, RepositorySetup } from './hosted-repositories.js';
import { badCredentials, base64Lines, json, weakEtag } from './http-replies.js';
import type { Route, RouteContext } from './route.js';

/**
 * Repositories and their git data for installation tokens: `GET /repositories/{id}` and
 * `GET /repos/{owner}/{repo}` with its commits, trees, blobs and contents. Each carries an ETag
 * (contents excepted) and answers `304` to a matching `If-None-Match`.
 */
export function gitDataRoutes(state: FakeGitHubState, blobs: BlobGates) {
  let treeEntryLimit = state.options.treeEntryLimit ?? 100_000;
  let treeByteLimit = state.options.treeByteLimit ?? 7 * 1024 * 1024;
  let treeOrder: TreeOrder = 'depth-first';

  /** `GET /repositories/{id}`: an installation token sees only the repositories it was given; others are 404, as on GitHub. */
  function repositoryById({ request, response, key }: RouteContext, id: string): void {
    state.accounting.countRoute('GET /repositories/{repository_id}');
    const installationId = state.installationOf(request);
    if (installationId === undefined) return badCredentials(response);
    const hosted = state.hosted.all().find((candidate) => String(candidate.id) === id);
    const listed =
      (state.installationRepositories.get(installationId) ?? []).find((candidate) => String(candidate.id) === id) ??
      (hosted && state.canRead(installationId, `${hosted.owner}/${hosted.name}`)
        ? repositoryPayload(hosted.id, hosted.owner, hosted.name)
        : undefined);
    if (!listed)
      return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository' });
    const [owner, name] = listed.full_name.split('/');
    const git = state.hosted.get(owner!, name!);
    const payload = {
      ...listed,
      default_branch: git?.defaultBranch ?? listed.default_branch,
      url: `${state.baseUrl}/repos/${listed.full_name}`,
    };
    const body = JSON.stringify(payload);
    state.accounting.answer(request, response, { installationId, key, etag: weakEtag(body), body: () => body });
  }

  /** `GET /repos/{owner}/{repo}…` for an installation token. */
  function repositoryRoute(context: RouteContext, match: RegExpExecArray): void {
    const { request, response, url, key } = context;
    const [, owner, repo, rest = ''] = match;
    if (rest.startsWith('/git/blobs/') && blobs.held(() => repositoryRoute(context, match))) return;
    const installationId = state.installationOf(request);
    const count = (route: string) => state.accounting.countRoute(route);
    const contents = /^\/contents(?:\/(.*))?$/.exec(rest);
    const commit = /^\/commits\/(.+)$/.exec(rest);
    const tree = /^\/git\/trees\/(.+)$/.exec(rest);
    const blob = /^\/git\/blobs\/(.+)$/.exec(rest);
    const recursive = url.searchParams.has('recursive');
    if (rest === '') count('GET /repos/{owner}/{repo}');
    else if (contents) count('GET /repos/{owner}/{repo}/contents/{path}');
    else if (commit) count('GET /repos/{owner}/{repo}/commits/{ref}');
    else if (tree) count(`GET /repos/{owner}/{repo}/git/trees/{tree_sha}${recursive ? '?recursive=1' : ''}`);
    else if (blob) count('GET /repos/{owner}/{repo}/git/blobs/{file_sha}');
    if (installationId === undefined) return badCredentials(response);
    const git = state.hosted.get(decodeURIComponent(owner!), decodeURIComponent(repo!));
    if (!git || !state.canRead(installationId, `${git.owner}/${git.name}`))
      return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository' });
    const reply = (etag: string | undefined, body: () => unknown) =>
      state.accounting.answer(request, response, { installationId, key, etag, body: () => JSON.stringify(body()) });
    const apiUrl = `${state.baseUrl}/repos/${git.owner}/${git.name}`;

    if (rest === '') {
      const payload = { ...repositoryPayload(git.id, git.owner, git.name), default_branch: git.defaultBranch, url: apiUrl };
      return reply(weakEtag(JSON.stringify(payload)), () => payload);
    }
    if (commit) {
      const found = git.resolveCommit(decodeURIComponent(commit[1]!));
      if (!found)
        return json(response, 422, {
          message: `No commit found for SHA: ${decodeURIComponent(commit[1]!)}`,
          documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
        });
      return reply(`"${found.sha}"`, () => commitPayload(found, apiUrl));
    }
    if (tree) {
      const sha = git.resolveTree(decodeURIComponent(tree[1]!));
      if (sha === undefined)
        return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/trees#get-a-tree' });
      // A tree SHA names its content; the listing also depends on recursion, order and limits.
      const etag = `"${sha}-${recursive ? `r-${treeOrder}` : 'n'}-${treeEntryLimit}-${treeByteLimit}"`;
      return state.accounting.answer(request, response, {
        installationId,
        key,
        etag,
        body: () => treeListing(git, sha, recursive, apiUrl),
      });
    }
    if (blob) {
      const sha = blob[1]!;
      const content = git.blob(sha);
      if (content === undefined)
        return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/blobs#get-a-blob' });
      return reply(`"${sha}"`, () => {
        state.accounting.blobsServed.count++;
        const bytes = Buffer.from(content, 'utf8');
        return {
          sha,
          node_id: `B_${sha}`,
          size: bytes.length,
          url: `${apiUrl}/git/blobs/${sha}`,
          content: base64Lines(bytes),
          encoding: 'base64',
        };
      });
    }
    if (contents)
      return repositoryContents(response, git, apiUrl, decodeURIComponent(contents[1] ?? ''), url.searchParams.get('ref'), reply);
    return json(response, 404, { message: 'Not Found' });
  }

  /** The tree's entries up to the entry limit, then up to the byte limit: past either, `truncated: true`. */
  function treeListing(git: GitRepository, sha: string, recursive: boolean, apiUrl: string): string {
    const listing = git.listTree(sha, recursive, treeEntryLimit, treeOrder);
    let truncated = listing.truncated;
    let bytes = 0;
    const entries: string[] = [];
    for (const { path, entry } of listing.entries) {
      const size = entry.size === undefined ? {} : { size: entry.size };
      const item = JSON.stringify({
        path,
        mode: entry.mode,
        type: entry.type,
        sha: entry.sha,
        ...size,
        url: `${apiUrl}/git/${entry.type}s/${entry.sha}`,
      });
      bytes += item.length + 1;
      if (bytes > treeByteLimit) {
        truncated = true;
        break;
      }
      entries.push(item);
    }
    return `{"sha":"${sha}","url":"${apiUrl}/git/trees/${sha}","tree":[${entries.join(',')}],"truncated":${truncated}}`;
  }

  /** A directory listing (`path` empty or a folder) or a file with base64 content, as GitHub answers. */
  function repositoryContents(
    response: ServerResponse,
    git: GitRepository,
    apiUrl: string,
    path: string,
    ref: string | null,
    reply: (etag: undefined, body: () => unknown) => void,
  ): void {
    const commit = ref ? git.resolveCommit(ref) : git.head;
    if (!commit) return json(response, 404, { message: ref ? `No commit found for the ref ${ref}` : 'This repository is empty.' });
    const clean = path.replace(/\/+$/, '');
    const entry = git.entryAt(commit, clean);
    if (!entry)
      return json(response, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content',
      });
    const item = (itemPath: string, { name, type, sha, size }: TreeEntry) => ({
      type: type === 'tree' ? 'dir' : 'file',
      name,
      path: itemPath,
      sha,
      size: size ?? 0,
      url: `${apiUrl}/contents/${itemPath}?ref=${commit.sha}`,
    });
    // No ETag here, as before: config detection reads contents, and its tests count full answers.
    if (entry.type === 'blob') {
      const bytes = Buffer.from(git.blob(entry.sha) ?? '', 'utf8');
      return reply(undefined, () => ({ ...item(clean, entry), encoding: 'base64', content: base64Lines(bytes) }));
    }
    const prefix = clean === '' ? '' : `${clean}/`;
    reply(undefined, () => git.treeEntries(entry.sha).map((child) => item(`${prefix}${child.name}`, child)));
  }

  const setRepository = (owner: string, repo: string, setup: RepositorySetup) =>
    state.hosted.set(owner, repo, setup, state.listed(`${owner}/${repo}`));

  const routes: Route[] = [
    { method: 'GET', path: /^\/repositories\/(\d+)$/, handle: (context, match) => repositoryById(context, match[1]!) },
    { method: 'GET', path: /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/, handle: repositoryRoute },
  ];
  return {
    routes,
    setRepository,
    updateRepositoryFiles: (owner: string, repo: string, update: FileUpdate) => state.hosted.update(owner, repo, update),
    setRepositoryFiles(fullName: string, files: Record<string, string>): void {
      const [owner, repo] = fullName.split('/');
      if (!owner || !repo) throw new Error(`not an owner/name: "${fullName}"`);
      setRepository(owner, repo, { files: Object.entries(files) });
    },
    setTreeListing({ entryLimit, byteLimit, order }: { entryLimit?: number; byteLimit?: number; order?: TreeOrder }): void {
      if (entryLimit !== undefined) treeEntryLimit = entryLimit;
      if (byteLimit !== undefined) treeByteLimit = byteLimit;
      if (order !== undefined) treeOrder = order;
    },
  };
}
