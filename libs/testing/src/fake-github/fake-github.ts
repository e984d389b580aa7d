import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { appInstallationRoutes, type FakeGitHubApp } from './app-installations.routes.js';
import { BlobGates, type BlobGate } from './blob-gate.js';
import { FakeGitHubState, type FakeGitHubOptions } from './fake-github.state.js';
import type { TreeOrder } from './git-repository.js';
import type { InstallationPayload, RepositoryPayload } from './github-payloads.js';
import { gitDataRoutes } from './git-data.routes.js';
import { graphqlRoutes } from './graphql.routes.js';
import type { FileUpdate, RepositorySetup } from './hosted-repositories.js';
import { json } from './http-replies.js';
import { oauthRoutes } from './oauth.routes.js';
import type { Route } from './route.js';
import { userInstallationRoutes } from './user-installations.routes.js';

export type { BlobGate } from './blob-gate.js';
export type { FakeGitHubApp } from './app-installations.routes.js';
export type { FakeGitHubOptions } from './fake-github.state.js';
export type { FileUpdate, RepositorySetup } from './hosted-repositories.js';
export { installationPayload, repositoryPayload, type InstallationPayload, type RepositoryPayload } from './github-payloads.js';

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
  /**
   * `username`'s membership of GitHub organization `org`, as `GET /orgs/{org}/memberships/{username}`
   * answers it to any known user token (null: not a member, 404).
   */
  setOrgMembership(
    org: string,
    username: string,
    membership: { state: 'active' | 'pending'; role: 'admin' | 'member' | 'billing_manager' } | null,
  ): void;
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
  const state = new FakeGitHubState(options);
  const blobs = new BlobGates();
  const app = appInstallationRoutes(state);
  const oauth = oauthRoutes();
  const users = userInstallationRoutes(state);
  const git = gitDataRoutes(state, blobs);
  const graphql = graphqlRoutes(state, blobs);
  const routes: Route[] = [...oauth.routes, ...app.routes, ...users.routes, ...git.routes, ...graphql.routes];

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const key = `${request.method} ${url.pathname}`;
    const failure = state.accounting.receive(key);
    if (failure !== undefined) return json(response, failure, { message: 'Server Error' });
    for (const route of routes) {
      const match = request.method === route.method ? route.path.exec(url.pathname) : null;
      if (match) return void route.handle({ request, response, url, key }, match);
    }
    json(response, 404, { message: 'Not Found' });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  state.baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const { accounting } = state;
  return {
    url: state.baseUrl,
    requests: accounting.requests,
    routes: accounting.routes,
    blobsServed: accounting.blobsServed,
    notModified: accounting.notModified,
    setApp: app.setApp,
    setInstallationRepositories: app.setInstallationRepositories,
    setRateLimitRemaining: (installationId, remaining) => accounting.setRateLimitRemaining(String(installationId), remaining),
    setInstallations: users.setInstallations,
    setUserInstallationRepositories: users.setUserInstallationRepositories,
    revoke: users.revoke,
    setOrgMembership: users.setOrgMembership,
    issueCode: oauth.issueCode,
    authorize: oauth.authorize,
    setRepository: git.setRepository,
    updateRepositoryFiles: git.updateRepositoryFiles,
    setRepositoryFiles: git.setRepositoryFiles,
    setTreeListing: git.setTreeListing,
    failNext: (status, count = 1) => accounting.failNext(status, count),
    holdBlobs: (passing = 0) => blobs.hold(passing),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Octokit keeps connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
