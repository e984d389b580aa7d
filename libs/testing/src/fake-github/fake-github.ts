import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';
import { GitRepository, type CommitObject, type TreeEntry, type TreeOrder } from './git-repository.js';

/** An installation as GitHub's REST API returns it (the fields we read, and a few we do not). */
export interface InstallationPayload {
  id: number;
  account: { id: number; login?: string; slug?: string; type?: string; avatar_url?: string | null };
  permissions: Record<string, string>;
  created_at: string;
  app_id?: number;
  target_type?: string;
}

/** A repository as `GET /installation/repositories` returns it (the fields we read, and a few more). */
export interface RepositoryPayload {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string; id: number; type: string };
  private: boolean;
  default_branch: string;
  html_url: string;
  archived: boolean;
  visibility?: string;
}

export function repositoryPayload(id: number, owner: string, name: string): RepositoryPayload {
  return {
    id,
    name,
    full_name: `${owner}/${name}`,
    owner: { login: owner, id: 1, type: 'Organization' },
    private: id % 2 === 0,
    default_branch: 'main',
    html_url: `https://github.example.test/${owner}/${name}`,
    archived: false,
    visibility: id % 2 === 0 ? 'private' : 'public',
  };
}

export interface FakeGitHubApp {
  readonly appId: string;
  /** The app's public key (PEM): installation-token requests must carry an RS256 JWT it verifies. */
  readonly publicKey: string;
}

export interface FakeGitHubOptions {
  /** The largest `per_page` the paginated listings honour. */
  readonly pageSize?: number;
  /** Entries a tree listing returns before it answers `truncated: true` (GitHub: 100,000 when recursive). */
  readonly treeEntryLimit?: number;
  /** Bytes of entries a tree listing holds before it is truncated (GitHub: 7 MB), whichever limit comes first. */
  readonly treeByteLimit?: number;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
}

export interface RepositorySetup {
  readonly defaultBranch?: string;
  readonly files: Iterable<readonly [string, string]>;
  /** The repository's numeric id; by default the one an installation lists, else a fresh one. */
  readonly id?: number;
}

export interface FileUpdate {
  readonly upsert?: Record<string, string>;
  readonly remove?: readonly string[];
}

export interface FakeGitHub {
  readonly url: string;
  /** Requests received, by `METHOD /path`. */
  readonly requests: Map<string, number>;
  /**
   * Requests received, by route as Octokit names it (`GET /repos/{owner}/{repo}/git/trees/{tree_sha}`);
   * a recursive tree listing counts under that route followed by `?recursive=1`.
   */
  readonly routes: Map<string, number>;
  /** Blob contents served, by REST (`git/blobs`) or inside GraphQL queries (`object(oid:)`): what ingestion read. */
  readonly blobsServed: { count: number };
  /** `304 Not Modified` answers sent, by `METHOD /path`. */
  readonly notModified: Map<string, number>;
  /** The GitHub App whose JWTs `POST /app/installations/{id}/access_tokens` accepts. */
  setApp(app: FakeGitHubApp): void;
  /** The repositories an installation token sees; changing them changes the pages' ETags. */
  setInstallationRepositories(installationId: number | string, repositories: RepositoryPayload[]): void;
  /** Sets what `x-ratelimit-remaining` says next for an installation; each 200 then decrements it. */
  setRateLimitRemaining(installationId: number | string, remaining: number): void;
  /** The installations a user token sees; a token never given is answered 401 Bad credentials. */
  setInstallations(token: string, installations: InstallationPayload[]): void;
  /** Restricts what `GET /user/installations/{id}/repositories` shows this user token to these repository ids. */
  setUserInstallationRepositories(token: string, installationId: number | string, repositoryIds: ReadonlyArray<number | string>): void;
  revoke(token: string): void;
  /** An OAuth code that `POST /login/oauth/access_token` exchanges (once) for `token`, for a flow started without PKCE. */
  issueCode(code: string, token: string, scope?: string): void;
  /**
   * What GitHub does when the user approves the authorize URL (`/login/oauth/authorize?…`) the app
   * sent them to: a code for `token`, bound to the URL's `code_challenge` when it has one, so the
   * exchange must then present the matching `code_verifier` (S256), as GitHub requires.
   */
  authorize(authorizeUrl: string, token: string, scope?: string): string;
  /** A repository with one commit holding `files`; replaces any earlier one. Returns the commit SHA. */
  setRepository(owner: string, repo: string, setup: RepositorySetup): string;
  /** A new commit on the default branch with the files changed; returns its SHA (the branch head moves). */
  updateRepositoryFiles(owner: string, repo: string, update: FileUpdate): string;
  /** `setRepository` for `owner/name` with these files (paths relative to the root). */
  setRepositoryFiles(fullName: string, files: Record<string, string>): void;
  /**
   * How many entries (and bytes of entries) a tree listing returns before it answers `truncated: true`, and the order of a
   * recursive listing (GitHub's is depth-first; breadth-first tests clients that must not rely on it).
   */
  setTreeListing(listing: { entryLimit?: number; byteLimit?: number; order?: TreeOrder }): void;
  /** The next `count` API requests fail with this status (a GitHub outage). */
  failNext(status: number, count?: number): void;
  /**
   * Holds blob requests (REST blob reads and GraphQL queries) after the first `passing` ones until
   * `release()`: a test can stop or cancel an ingestion at a known point (a fetch in flight)
   * instead of racing it.
   */
  holdBlobs(passing?: number): BlobGate;
  close(): Promise<void>;
}

export interface BlobGate {
  /** Resolves once `count` blob requests are being held. */
  waitForHeld(count: number): Promise<void>;
  /** Answers the held requests and lets every later one through. */
  release(): void;
}

export function installationPayload(id: number, login: string, type: 'User' | 'Organization' = 'Organization'): InstallationPayload {
  return {
    id,
    account: { id: id * 10, login, type, avatar_url: `https://avatars.example.test/${login}` },
    permissions: { contents: 'read', metadata: 'read' },
    created_at: '2026-01-15T08:30:00Z',
    app_id: 1,
    target_type: type,
  };
}

/**
 * A loopback stand-in for the parts of GitHub the integrations use, for the real Octokit client:
 * `GET /user/installations` (paginated by `per_page`/`page` with a `Link` header, as GitHub does),
 * the OAuth code exchange, installation tokens for a GitHub App (the JWT is verified),
 * `GET /installation/repositories`, and repositories' git data (repository, commit, trees, blobs,
 * contents) for installation tokens. Listings, trees, blobs and commits carry ETags and answer `304`
 * to a matching `If-None-Match`; rate-limit headers go with every installation call (a 304 does not
 * count, as on GitHub). It counts every request it receives.
 */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const installations = new Map<string, InstallationPayload[]>();
  const userRepositories = new Map<string, Set<string>>();
  const codes = new Map<string, { token: string; scope: string; codeChallenge?: string }>();
  const requests = new Map<string, number>();
  const routes = new Map<string, number>();
  const notModified = new Map<string, number>();
  const repositories = new Map<string, RepositoryPayload[]>();
  const installationTokens = new Map<string, string>();
  const rateLimits = new Map<string, number>();
  const gitRepositories = new Map<string, GitRepository>();
  let treeEntryLimit = options.treeEntryLimit ?? 100_000;
  let treeByteLimit = options.treeByteLimit ?? 7 * 1024 * 1024;
  let treeOrder: TreeOrder = 'depth-first';
  let nextRepositoryId = 700_000;
  let app: FakeGitHubApp | null = null;
  let failures: { status: number; remaining: number } | null = null;
  let blobGate: { passing: number; held: Array<() => void>; waiters: Array<{ count: number; resolve: () => void }> } | null = null;
  let baseUrl = '';
  const blobsServed = { count: 0 };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const key = `${request.method} ${url.pathname}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    if (failures && failures.remaining > 0) {
      failures.remaining--;
      return json(response, failures.status, { message: 'Server Error' });
    }
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') return exchange(request, response);
    const accessTokens = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (request.method === 'POST' && accessTokens) return void issueInstallationToken(request, response, accessTokens[1]!);
    if (request.method === 'GET' && url.pathname === '/installation/repositories') return listInstallationRepositories(request, response, url, key);
    const byId = /^\/repositories\/(\d+)$/.exec(url.pathname);
    if (request.method === 'GET' && byId) return repositoryById(request, response, key, byId[1]!);
    const userInstallationRepositories = /^\/user\/installations\/(\d+)\/repositories$/.exec(url.pathname);
    if (request.method === 'GET' && userInstallationRepositories) return listUserInstallationRepositories(request, response, url, userInstallationRepositories[1]!);
    const repository = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (request.method === 'GET' && repository) return repositoryRoute(request, response, url, key, repository);
    if (request.method === 'POST' && url.pathname === '/graphql') return graphql(request, response);
    const token = bearer(request);
    if (request.method === 'GET' && url.pathname === '/user/installations') {
      const all = token === undefined ? undefined : installations.get(token);
      if (!all) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.pageSize ?? 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) headers.link = `<${baseUrl}/user/installations?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      return json(response, 200, { total_count: all.length, installations: slice }, headers);
    }
    return json(response, 404, { message: 'Not Found' });
  });

  async function issueInstallationToken(request: IncomingMessage, response: ServerResponse, installationId: string): Promise<void> {
    const jwt = /^bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!jwt || !app) return json(response, 401, { message: 'A JSON web token could not be decoded' });
    try {
      const { payload } = await jwtVerify(jwt, createPublicKey(app.publicKey), { algorithms: ['RS256'] });
      if (String(payload.iss) !== app.appId) return json(response, 401, { message: "'Issuer' claim ('iss') must be an Integer" });
    } catch {
      return json(response, 401, { message: 'A JSON web token could not be decoded' });
    }
    if (!repositories.has(installationId)) return json(response, 404, { message: 'Not Found' });
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    installationTokens.set(token, installationId);
    json(response, 201, {
      token,
      expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: { contents: 'read', metadata: 'read' },
      repository_selection: 'all',
    });
  }

  function listInstallationRepositories(request: IncomingMessage, response: ServerResponse, url: URL, key: string): void {
    const installationId = installationOf(request);
    if (installationId === undefined) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const all = repositories.get(installationId) ?? [];
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.pageSize ?? 100);
    const page = Number(url.searchParams.get('page') ?? 1);
    const body = JSON.stringify({ total_count: all.length, repository_selection: 'all', repositories: all.slice((page - 1) * perPage, page * perPage) });
    const headers: Record<string, string> = { vary: 'Accept, Authorization, Cookie' };
    if (page * perPage < all.length) headers.link = `<${baseUrl}/installation/repositories?per_page=${perPage}&page=${page + 1}>; rel="next"`;
    answer(request, response, { installationId, key, etag: weakEtag(body), headers, body: () => body });
  }

  /**
   * Whether an installation can read `owner/name`, as GitHub scopes its tokens: a repository it
   * lists (`setInstallationRepositories`), or any repository of an account it lists repositories of
   * (an installation on "all repositories" of that account). Another account's repository: no.
   */
  function canRead(installationId: string, fullName: string): boolean {
    const listed = repositories.get(installationId) ?? [];
    const owner = fullName.split('/')[0]!.toLowerCase();
    return listed.some((candidate) => candidate.full_name.toLowerCase() === fullName.toLowerCase() || candidate.full_name.split('/')[0]!.toLowerCase() === owner);
  }

  /** `GET /repositories/{id}`: an installation token sees only the repositories it was given; others are 404, as on GitHub. */
  function repositoryById(request: IncomingMessage, response: ServerResponse, key: string, id: string): void {
    routes.set('GET /repositories/{repository_id}', (routes.get('GET /repositories/{repository_id}') ?? 0) + 1);
    const installationId = installationOf(request);
    if (installationId === undefined) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const hosted = [...gitRepositories.values()].find((candidate) => String(candidate.id) === id);
    const listed = (repositories.get(installationId) ?? []).find((candidate) => String(candidate.id) === id) ?? (hosted && canRead(installationId, `${hosted.owner}/${hosted.name}`) ? repositoryPayload(hosted.id, hosted.owner, hosted.name) : undefined);
    if (!listed) return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository' });
    const git = gitRepositories.get(listed.full_name.toLowerCase());
    const payload = { ...listed, default_branch: git?.defaultBranch ?? listed.default_branch, url: `${baseUrl}/repos/${listed.full_name}` };
    const body = JSON.stringify(payload);
    answer(request, response, { installationId, key, etag: weakEtag(body), body: () => body });
  }

  /**
   * `GET /user/installations/{id}/repositories` for a user token: the installation must be one the
   * user sees (else 404, as GitHub answers); the repositories are the installation's, or the subset
   * `setUserInstallationRepositories` gave this user (GitHub intersects with the user's own access).
   */
  function listUserInstallationRepositories(request: IncomingMessage, response: ServerResponse, url: URL, installationId: string): void {
    routes.set('GET /user/installations/{installation_id}/repositories', (routes.get('GET /user/installations/{installation_id}/repositories') ?? 0) + 1);
    const token = bearer(request);
    const visible = token === undefined ? undefined : installations.get(token);
    if (!visible) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (!visible.some((installation) => String(installation.id) === installationId)) return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/apps/installations' });
    const only = userRepositories.get(`${token}:${installationId}`);
    const listed = repositories.get(installationId) ?? [];
    // Hosted repositories of an account the installation covers count as its repositories too (as `canRead`).
    const hosted = [...gitRepositories.values()]
      .filter((git) => !listed.some((candidate) => candidate.id === git.id) && canRead(installationId, `${git.owner}/${git.name}`))
      .map((git) => ({ ...repositoryPayload(git.id, git.owner, git.name), default_branch: git.defaultBranch }));
    const all = [...listed, ...hosted].filter((candidate) => !only || only.has(String(candidate.id)));
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.pageSize ?? 100);
    const page = Number(url.searchParams.get('page') ?? 1);
    const headers: Record<string, string> = {};
    if (page * perPage < all.length) headers.link = `<${baseUrl}/user/installations/${installationId}/repositories?per_page=${perPage}&page=${page + 1}>; rel="next"`;
    json(response, 200, { total_count: all.length, repository_selection: 'all', repositories: all.slice((page - 1) * perPage, page * perPage) }, headers);
  }

  /** `GET /repos/{owner}/{repo}…` for an installation token. */
  function repositoryRoute(request: IncomingMessage, response: ServerResponse, url: URL, key: string, match: RegExpExecArray): void {
    const [, owner, repo, rest = ''] = match;
    if (rest.startsWith('/git/blobs/') && held(() => repositoryRoute(request, response, url, key, match))) return;
    const installationId = installationOf(request);
    const count = (route: string) => routes.set(route, (routes.get(route) ?? 0) + 1);
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
    if (installationId === undefined) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const git = gitRepositories.get(`${decodeURIComponent(owner!)}/${decodeURIComponent(repo!)}`.toLowerCase());
    if (!git || !canRead(installationId, `${git.owner}/${git.name}`)) return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository' });
    const reply = (etag: string | undefined, body: () => unknown) => answer(request, response, { installationId, key, etag, body: () => JSON.stringify(body()) });
    const apiUrl = `${baseUrl}/repos/${git.owner}/${git.name}`;

    if (rest === '') {
      const payload = { ...repositoryPayload(git.id, git.owner, git.name), default_branch: git.defaultBranch, url: apiUrl };
      return reply(weakEtag(JSON.stringify(payload)), () => payload);
    }
    if (commit) {
      const found = git.resolveCommit(decodeURIComponent(commit[1]!));
      if (!found) return json(response, 422, { message: `No commit found for SHA: ${decodeURIComponent(commit[1]!)}`, documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit' });
      return reply(`"${found.sha}"`, () => commitPayload(found, apiUrl));
    }
    if (tree) {
      const sha = git.resolveTree(decodeURIComponent(tree[1]!));
      if (sha === undefined) return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/trees#get-a-tree' });
      // A tree SHA names its content; the listing also depends on recursion, order and limits.
      const etag = `"${sha}-${recursive ? `r-${treeOrder}` : 'n'}-${treeEntryLimit}-${treeByteLimit}"`;
      return answer(request, response, {
        installationId,
        key,
        etag,
        body: () => {
          const listing = git.listTree(sha, recursive, treeEntryLimit, treeOrder);
          let truncated = listing.truncated;
          let bytes = 0;
          const entries: string[] = [];
          for (const { path, entry } of listing.entries) {
            const size = entry.size === undefined ? {} : { size: entry.size };
            const item = JSON.stringify({ path, mode: entry.mode, type: entry.type, sha: entry.sha, ...size, url: `${apiUrl}/git/${entry.type}s/${entry.sha}` });
            bytes += item.length + 1;
            if (bytes > treeByteLimit) {
              truncated = true;
              break;
            }
            entries.push(item);
          }
          return `{"sha":"${sha}","url":"${apiUrl}/git/trees/${sha}","tree":[${entries.join(',')}],"truncated":${truncated}}`;
        },
      });
    }
    if (blob) {
      const sha = blob[1]!;
      const content = git.blob(sha);
      if (content === undefined) return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/blobs#get-a-blob' });
      return reply(`"${sha}"`, () => {
        blobsServed.count++;
        const bytes = Buffer.from(content, 'utf8');
        return { sha, node_id: `B_${sha}`, size: bytes.length, url: `${apiUrl}/git/blobs/${sha}`, content: base64Lines(bytes), encoding: 'base64' };
      });
    }
    if (contents) return repositoryContents(response, git, apiUrl, decodeURIComponent(contents[1] ?? ''), url.searchParams.get('ref'), reply);
    return json(response, 404, { message: 'Not Found' });
  }

  /** A directory listing (`path` empty or a folder) or a file with base64 content, as GitHub answers. */
  function repositoryContents(response: ServerResponse, git: GitRepository, apiUrl: string, path: string, ref: string | null, reply: (etag: undefined, body: () => unknown) => void): void {
    const commit = ref ? git.resolveCommit(ref) : git.head;
    if (!commit) return json(response, 404, { message: ref ? `No commit found for the ref ${ref}` : 'This repository is empty.' });
    const clean = path.replace(/\/+$/, '');
    const entry = git.entryAt(commit, clean);
    if (!entry) return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content' });
    const item = (itemPath: string, { name, type, sha, size }: TreeEntry) => ({ type: type === 'tree' ? 'dir' : 'file', name, path: itemPath, sha, size: size ?? 0, url: `${apiUrl}/contents/${itemPath}?ref=${commit.sha}` });
    // No ETag here, as before: config detection reads contents, and its tests count full answers.
    if (entry.type === 'blob') {
      const bytes = Buffer.from(git.blob(entry.sha) ?? '', 'utf8');
      return reply(undefined, () => ({ ...item(clean, entry), encoding: 'base64', content: base64Lines(bytes) }));
    }
    const prefix = clean === '' ? '' : `${clean}/`;
    reply(undefined, () => git.treeEntries(entry.sha).map((child) => item(`${prefix}${child.name}`, child)));
  }

  /** A 200 that spends one request of the installation's rate limit, or a free 304 when the ETag matches. */
  function answer(request: IncomingMessage, response: ServerResponse, { installationId, key, etag, headers = {}, body }: { installationId: string; key: string; etag: string | undefined; headers?: Record<string, string>; body: () => string }): void {
    const remaining = rateLimits.get(installationId) ?? 5000;
    const rate = (left: number) => ({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(left), 'x-ratelimit-used': String(5000 - left), 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600), 'x-ratelimit-resource': 'core' });
    const tagged = etag === undefined ? headers : { ...headers, etag };
    if (etag !== undefined && request.headers['if-none-match'] === etag) {
      notModified.set(key, (notModified.get(key) ?? 0) + 1);
      response.writeHead(304, { ...tagged, ...rate(remaining) });
      return void response.end();
    }
    const left = Math.max(0, remaining - 1);
    rateLimits.set(installationId, left);
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...tagged, ...rate(left) });
    response.end(body());
  }

  function exchange(request: IncomingMessage, response: ServerResponse): void {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const params = request.headers['content-type']?.includes('application/json') ? (JSON.parse(body || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(body));
      const issued = params.code === undefined ? undefined : codes.get(params.code);
      // GitHub answers a bad code with 200 and an error body, not with an error status.
      if (!issued || params.client_id !== 'gh-client-id' || params.client_secret !== 'gh-client-secret') {
        return json(response, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      }
      // PKCE: a code issued for a challenge is exchanged only with its verifier; a failed attempt burns the code, as on GitHub.
      if (issued.codeChallenge !== undefined && (typeof params.code_verifier !== 'string' || createHash('sha256').update(params.code_verifier, 'ascii').digest('base64url') !== issued.codeChallenge)) {
        codes.delete(params.code!);
        return json(response, 200, { error: 'bad_verification_code', error_description: 'The code_verifier does not match the code_challenge.' });
      }
      codes.delete(params.code!);
      json(response, 200, { access_token: issued.token, token_type: 'bearer', scope: issued.scope });
    });
  }

  /** True when the blob gate keeps this request for later (`answer` runs on release). */
  function held(answer: () => void): boolean {
    if (!blobGate) return false;
    if (blobGate.passing > 0) {
      blobGate.passing--;
      return false;
    }
    const gate = blobGate;
    gate.held.push(answer);
    for (const waiter of gate.waiters.filter((w) => gate.held.length >= w.count)) waiter.resolve();
    return true;
  }

  /**
   * `POST /graphql`, for the one query shape ingestion sends: blobs by object id in one repository,
   * `repository(owner: $owner, name: $name) { b0: object(oid: "…") { ... on Blob { text isBinary byteSize isTruncated } } … }`.
   * As on GitHub, a binary blob has `text: null` and a missing object is `null`.
   */
  function graphql(request: IncomingMessage, response: ServerResponse): void {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      routes.set('POST /graphql', (routes.get('POST /graphql') ?? 0) + 1);
      const installationId = installationOf(request);
      if (installationId === undefined) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' });
      const respond = () => {
        const { query, variables } = JSON.parse(raw || '{}') as { query?: string; variables?: { owner?: string; name?: string } };
        const git = gitRepositories.get(`${variables?.owner}/${variables?.name}`.toLowerCase());
        if (!git || !canRead(installationId, `${git.owner}/${git.name}`)) return json(response, 200, { data: { repository: null }, errors: [{ type: 'NOT_FOUND', path: ['repository'], message: `Could not resolve to a Repository with the name '${variables?.owner}/${variables?.name}'.` }] });
        const objects: Record<string, unknown> = {};
        for (const [, alias, sha] of (query ?? '').matchAll(/(\w+):\s*object\(oid:\s*"([0-9a-f]{40})"\)/g)) {
          const content = git.blob(sha!);
          if (content !== undefined) blobsServed.count++;
          const binary = content?.includes('\u0000') ?? false;
          objects[alias!] = content === undefined ? null : { text: binary ? null : content, isBinary: binary, byteSize: Buffer.byteLength(content), isTruncated: false };
        }
        const left = Math.max(0, (rateLimits.get(`graphql:${installationId}`) ?? 5000) - 1);
        rateLimits.set(`graphql:${installationId}`, left);
        json(response, 200, { data: { repository: objects } }, { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(left), 'x-ratelimit-resource': 'graphql' });
      };
      if (!held(respond)) respond();
    });
  }

  function installationOf(request: IncomingMessage): string | undefined {
    const token = bearer(request);
    return token === undefined ? undefined : installationTokens.get(token);
  }

  function setRepository(owner: string, repo: string, setup: RepositorySetup): string {
    const fullName = `${owner}/${repo}`;
    const listed = [...repositories.values()].flat().find((candidate) => candidate.full_name.toLowerCase() === fullName.toLowerCase());
    const git = new GitRepository(setup.id ?? listed?.id ?? nextRepositoryId++, owner, repo, setup.defaultBranch ?? listed?.default_branch ?? 'main');
    const commit = git.commit({ upsert: setup.files }, 'Initial commit');
    gitRepositories.set(fullName.toLowerCase(), git);
    return commit.sha;
  }

  function updateRepositoryFiles(owner: string, repo: string, update: FileUpdate): string {
    const git = gitRepositories.get(`${owner}/${repo}`.toLowerCase());
    if (!git) throw new Error(`no repository ${owner}/${repo}: call setRepository first`);
    return git.commit({ upsert: Object.entries(update.upsert ?? {}), remove: update.remove ?? [] }).sha;
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url: baseUrl,
    requests,
    routes,
    blobsServed,
    notModified,
    setApp: (value) => void (app = value),
    setInstallationRepositories: (installationId, list) => void repositories.set(String(installationId), list),
    setRateLimitRemaining: (installationId, remaining) => void rateLimits.set(String(installationId), remaining),
    setInstallations: (token, list) => void installations.set(token, list),
    setUserInstallationRepositories: (token, installationId, repositoryIds) => void userRepositories.set(`${token}:${installationId}`, new Set(repositoryIds.map(String))),
    revoke: (token) => void installations.delete(token),
    issueCode: (code, token, scope = 'read:user') => void codes.set(code, { token, scope }),
    authorize(authorizeUrl, token, scope = 'read:user') {
      const url = new URL(authorizeUrl);
      if (url.pathname !== '/login/oauth/authorize' || url.searchParams.get('client_id') !== 'gh-client-id') throw new Error(`Not an authorize URL of this fake's OAuth app: ${authorizeUrl}`);
      const challenge = url.searchParams.get('code_challenge');
      if (challenge !== null && url.searchParams.get('code_challenge_method') !== 'S256') throw new Error('The fake GitHub supports only code_challenge_method=S256');
      const code = randomBytes(10).toString('hex');
      codes.set(code, { token, scope, ...(challenge === null ? {} : { codeChallenge: challenge }) });
      return code;
    },
    setRepository,
    updateRepositoryFiles,
    setRepositoryFiles: (fullName, files) => {
      const [owner, repo] = fullName.split('/');
      if (!owner || !repo) throw new Error(`not an owner/name: "${fullName}"`);
      setRepository(owner, repo, { files: Object.entries(files) });
    },
    setTreeListing: ({ entryLimit, byteLimit, order }) => {
      if (entryLimit !== undefined) treeEntryLimit = entryLimit;
      if (byteLimit !== undefined) treeByteLimit = byteLimit;
      if (order !== undefined) treeOrder = order;
    },
    failNext: (status, count = 1) => void (failures = { status, remaining: count }),
    holdBlobs: (passing = 0) => {
      const gate = { passing, held: [] as Array<() => void>, waiters: [] as Array<{ count: number; resolve: () => void }> };
      blobGate = gate;
      return {
        waitForHeld: (count) => (gate.held.length >= count ? Promise.resolve() : new Promise<void>((resolve) => gate.waiters.push({ count, resolve }))),
        release: () => {
          if (blobGate === gate) blobGate = null;
          for (const answer of gate.held.splice(0)) answer();
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Octokit keeps connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

function commitPayload(commit: CommitObject, apiUrl: string) {
  const person = { name: 'Fake GitHub', email: 'fake@github.example.test', date: commit.date };
  return {
    sha: commit.sha,
    node_id: `C_${commit.sha}`,
    url: `${apiUrl}/commits/${commit.sha}`,
    commit: { author: person, committer: person, message: commit.message, tree: { sha: commit.tree, url: `${apiUrl}/git/trees/${commit.tree}` }, comment_count: 0 },
    parents: commit.parents.map((sha) => ({ sha, url: `${apiUrl}/commits/${sha}` })),
  };
}

function bearer(request: IncomingMessage): string | undefined {
  return /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

function weakEtag(body: string): string {
  return `W/"${createHash('sha1').update(body).digest('hex')}"`;
}

/** GitHub wraps base64 content at 60 characters; clients must accept the line breaks. */
function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + (bytes.length > 0 ? '\n' : '');
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}
