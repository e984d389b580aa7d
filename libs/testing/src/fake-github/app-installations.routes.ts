import { createPublicKey, randomBytes } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { FakeGitHubState } from './fake-github.state.js';
import type { RepositoryPayload } from './github-payloads.js';
import { badCredentials, json, page, weakEtag } from './http-replies.js';
import type { Route, RouteContext } from './route.js';

export interface FakeGitHubApp {
  readonly appId: string;
  /** The app's public key (PEM): installation-token requests must carry an RS256 JWT it verifies. */
  readonly publicKey: string;
}

/** The GitHub App's side: installation tokens for a verified app JWT, and what an installation token lists. */
export function appInstallationRoutes(state: FakeGitHubState) {
  let app: FakeGitHubApp | null = null;

  async function issueInstallationToken({ request, response }: RouteContext, installationId: string): Promise<void> {
    const jwt = /^bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!jwt || !app) return json(response, 401, { message: 'A JSON web token could not be decoded' });
    try {
      const { payload } = await jwtVerify(jwt, createPublicKey(app.publicKey), { algorithms: ['RS256'] });
      if (String(payload.iss) !== app.appId) return json(response, 401, { message: "'Issuer' claim ('iss') must be an Integer" });
    } catch {
      return json(response, 401, { message: 'A JSON web token could not be decoded' });
    }
    if (!state.installationRepositories.has(installationId)) return json(response, 404, { message: 'Not Found' });
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    state.installationTokens.set(token, installationId);
    json(response, 201, {
      token,
      expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: { contents: 'read', metadata: 'read' },
      repository_selection: 'all',
    });
  }

  function listInstallationRepositories({ request, response, url, key }: RouteContext): void {
    const installationId = state.installationOf(request);
    if (installationId === undefined) return badCredentials(response);
    const all = state.installationRepositories.get(installationId) ?? [];
    const { items, headers } = page(
      all,
      url,
      state.options.pageSize,
      (perPage, next) => `${state.baseUrl}/installation/repositories?per_page=${perPage}&page=${next}`,
    );
    const body = JSON.stringify({ total_count: all.length, repository_selection: 'all', repositories: items });
    state.accounting.answer(request, response, {
      installationId,
      key,
      etag: weakEtag(body),
      headers: { vary: 'Accept, Authorization, Cookie', ...headers },
      body: () => body,
    });
  }

  const routes: Route[] = [
    {
      method: 'POST',
      path: /^\/app\/installations\/(\d+)\/access_tokens$/,
      handle: (context, match) => issueInstallationToken(context, match[1]!),
    },
    { method: 'GET', path: /^\/installation\/repositories$/, handle: listInstallationRepositories },
  ];
  return {
    routes,
    setApp: (value: FakeGitHubApp) => void (app = value),
    setInstallationRepositories: (installationId: number | string, list: RepositoryPayload[]) =>
      void state.installationRepositories.set(String(installationId), list),
  };
}
