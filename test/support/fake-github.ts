import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';

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

export interface FakeGitHub {
  readonly url: string;
  /** Requests received, by `METHOD /path`. */
  readonly requests: Map<string, number>;
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
  revoke(token: string): void;
  /** An OAuth code that `POST /login/oauth/access_token` exchanges (once) for `token`. */
  issueCode(code: string, token: string, scope?: string): void;
  /** Files of a repository (`owner/name`) at its root and below, for `GET /repos/{o}/{r}/contents/{path}`. */
  setRepositoryFiles(fullName: string, files: Record<string, string>): void;
  /** The next `count` API requests fail with this status (a GitHub outage). */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
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
 * the OAuth code exchange, installation tokens for a GitHub App (the JWT is verified) and
 * `GET /installation/repositories` with ETags, `304` on a matching `If-None-Match` and rate-limit
 * headers (a 304 does not count, as on GitHub). It counts every request it receives.
 */
export async function startFakeGitHub(options: { pageSize?: number } = {}): Promise<FakeGitHub> {
  const installations = new Map<string, InstallationPayload[]>();
  const codes = new Map<string, { token: string; scope: string }>();
  const requests = new Map<string, number>();
  const notModified = new Map<string, number>();
  const repositories = new Map<string, RepositoryPayload[]>();
  const installationTokens = new Map<string, string>();
  const rateLimits = new Map<string, number>();
  const repositoryFiles = new Map<string, Record<string, string>>();
  let app: FakeGitHubApp | null = null;
  let failures: { status: number; remaining: number } | null = null;
  let baseUrl = '';

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
    const contents = /^\/repos\/([^/]+)\/([^/]+)\/contents(?:\/(.*))?$/.exec(url.pathname);
    if (request.method === 'GET' && contents) return repositoryContents(request, response, `${contents[1]}/${contents[2]}`, decodeURIComponent(contents[3] ?? ''));
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
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
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const installationId = token === undefined ? undefined : installationTokens.get(token);
    if (installationId === undefined) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const all = repositories.get(installationId) ?? [];
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.pageSize ?? 100);
    const page = Number(url.searchParams.get('page') ?? 1);
    const body = JSON.stringify({ total_count: all.length, repository_selection: 'all', repositories: all.slice((page - 1) * perPage, page * perPage) });
    const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
    const headers: Record<string, string> = { etag, vary: 'Accept, Authorization, Cookie' };
    if (page * perPage < all.length) headers.link = `<${baseUrl}/installation/repositories?per_page=${perPage}&page=${page + 1}>; rel="next"`;
    const remaining = rateLimits.get(installationId) ?? 5000;
    const rate = (left: number) => ({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(left), 'x-ratelimit-used': String(5000 - left), 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600), 'x-ratelimit-resource': 'core' });
    if (request.headers['if-none-match'] === etag) {
      notModified.set(key, (notModified.get(key) ?? 0) + 1);
      response.writeHead(304, { ...headers, ...rate(remaining) });
      return void response.end();
    }
    const left = Math.max(0, remaining - 1);
    rateLimits.set(installationId, left);
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers, ...rate(left) });
    response.end(body);
  }

  /** A directory listing (`path` empty or a folder) or a file with base64 content, as GitHub answers. */
  function repositoryContents(request: IncomingMessage, response: ServerResponse, fullName: string, path: string): void {
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined || !installationTokens.has(token)) return json(response, 401, { message: 'Bad credentials' });
    const files = repositoryFiles.get(fullName);
    if (!files) return json(response, 404, { message: 'Not Found' });
    const clean = path.replace(/\/+$/, '');
    const file = files[clean];
    if (clean !== '' && file !== undefined) {
      return json(response, 200, { type: 'file', name: clean.split('/').at(-1), path: clean, encoding: 'base64', content: Buffer.from(file).toString('base64'), size: Buffer.byteLength(file) });
    }
    const prefix = clean === '' ? '' : `${clean}/`;
    const entries = new Map<string, string>();
    for (const name of Object.keys(files)) {
      if (!name.startsWith(prefix)) continue;
      const [head, ...rest] = name.slice(prefix.length).split('/');
      entries.set(head!, rest.length > 0 ? 'dir' : 'file');
    }
    if (entries.size === 0) return json(response, 404, { message: 'Not Found' });
    json(response, 200, [...entries].map(([name, type]) => ({ type, name, path: `${prefix}${name}` })));
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
      codes.delete(params.code!);
      json(response, 200, { access_token: issued.token, token_type: 'bearer', scope: issued.scope });
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    requests,
    notModified,
    setApp: (value) => void (app = value),
    setInstallationRepositories: (installationId, list) => void repositories.set(String(installationId), list),
    setRateLimitRemaining: (installationId, remaining) => void rateLimits.set(String(installationId), remaining),
    setInstallations: (token, list) => void installations.set(token, list),
    revoke: (token) => void installations.delete(token),
    issueCode: (code, token, scope = 'read:user') => void codes.set(code, { token, scope }),
    setRepositoryFiles: (fullName, files) => void repositoryFiles.set(fullName, files),
    failNext: (status, count = 1) => void (failures = { status, remaining: count }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}
