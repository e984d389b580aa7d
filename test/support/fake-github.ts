import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** An installation as GitHub's REST API returns it (the fields we read, and a few we do not). */
export interface InstallationPayload {
  id: number;
  account: { id: number; login?: string; slug?: string; type?: string; avatar_url?: string | null };
  permissions: Record<string, string>;
  created_at: string;
  app_id?: number;
  target_type?: string;
}

export interface FakeGitHub {
  readonly url: string;
  /** Requests received, by `METHOD /path`. */
  readonly requests: Map<string, number>;
  /** The installations a user token sees; a token never given is answered 401 Bad credentials. */
  setInstallations(token: string, installations: InstallationPayload[]): void;
  revoke(token: string): void;
  /** An OAuth code that `POST /login/oauth/access_token` exchanges (once) for `token`. */
  issueCode(code: string, token: string, scope?: string): void;
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
 * `GET /user/installations` (paginated by `per_page`/`page` with a `Link` header, as GitHub does)
 * and the OAuth code exchange. It counts every request it receives.
 */
export async function startFakeGitHub(options: { pageSize?: number } = {}): Promise<FakeGitHub> {
  const installations = new Map<string, InstallationPayload[]>();
  const codes = new Map<string, { token: string; scope: string }>();
  const requests = new Map<string, number>();
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
    setInstallations: (token, list) => void installations.set(token, list),
    revoke: (token) => void installations.delete(token),
    issueCode: (code, token, scope = 'read:user') => void codes.set(code, { token, scope }),
    failNext: (status, count = 1) => void (failures = { status, remaining: count }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}
