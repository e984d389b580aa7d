import type { FakeGitHubState } from './fake-github.state.js';
import { repositoryPayload, type InstallationPayload } from './github-payloads.js';
import { badCredentials, bearer, json, page } from './http-replies.js';
import type { Route, RouteContext } from './route.js';

/** What a user token sees: its installations, and the repositories of each it may read. */
export function userInstallationRoutes(state: FakeGitHubState) {
  const installations = new Map<string, InstallationPayload[]>();
  /** `<token>:<installation id>` → the repository ids that user may see of the installation. */
  const userRepositories = new Map<string, Set<string>>();

  function listInstallations({ request, response, url }: RouteContext): void {
    const token = bearer(request);
    const all = token === undefined ? undefined : installations.get(token);
    if (!all) return badCredentials(response);
    const { items, headers } = page(
      all,
      url,
      state.options.pageSize,
      (perPage, next) => `${state.baseUrl}/user/installations?per_page=${perPage}&page=${next}`,
    );
    json(response, 200, { total_count: all.length, installations: items }, headers);
  }

  /**
   * `GET /user/installations/{id}/repositories` for a user token: the installation must be one the
   * user sees (else 404, as GitHub answers); the repositories are the installation's, or the subset
   * `setUserInstallationRepositories` gave this user (GitHub intersects with the user's own access).
   */
  function listInstallationRepositories({ request, response, url }: RouteContext, installationId: string): void {
    state.accounting.countRoute('GET /user/installations/{installation_id}/repositories');
    const token = bearer(request);
    const visible = token === undefined ? undefined : installations.get(token);
    if (!visible) return badCredentials(response);
    if (!visible.some((installation) => String(installation.id) === installationId))
      return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/apps/installations' });
    const only = userRepositories.get(`${token}:${installationId}`);
    const listed = state.installationRepositories.get(installationId) ?? [];
    // Hosted repositories of an account the installation covers count as its repositories too (as `canRead`).
    const hosted = state.hosted
      .all()
      .filter((git) => !listed.some((candidate) => candidate.id === git.id) && state.canRead(installationId, `${git.owner}/${git.name}`))
      .map((git) => ({ ...repositoryPayload(git.id, git.owner, git.name), default_branch: git.defaultBranch }));
    const all = [...listed, ...hosted].filter((candidate) => !only || only.has(String(candidate.id)));
    const { items, headers } = page(
      all,
      url,
      state.options.pageSize,
      (perPage, next) => `${state.baseUrl}/user/installations/${installationId}/repositories?per_page=${perPage}&page=${next}`,
    );
    json(response, 200, { total_count: all.length, repository_selection: 'all', repositories: items }, headers);
  }

  /** `<org>/<username>` (lower case, as GitHub logins compare) → that user's membership of the organization. */
  const orgMemberships = new Map<string, { state: 'active' | 'pending'; role: 'admin' | 'member' | 'billing_manager' }>();

  /**
   * `GET /orgs/{org}/memberships/{username}` for a user token: the membership `setOrgMembership`
   * gave, or 404 as GitHub answers for a non-member (or one the requester may not see).
   */
  function getOrgMembership({ request, response }: RouteContext, org: string, username: string): void {
    state.accounting.countRoute('GET /orgs/{org}/memberships/{username}');
    const token = bearer(request);
    if (token === undefined || !installations.has(token)) return badCredentials(response);
    const membership = orgMemberships.get(`${org.toLowerCase()}/${username.toLowerCase()}`);
    if (!membership) return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/orgs/members' });
    json(response, 200, {
      url: `${state.baseUrl}/orgs/${org}/memberships/${username}`,
      state: membership.state,
      role: membership.role,
      organization_url: `${state.baseUrl}/orgs/${org}`,
      organization: { login: org, id: 1, url: `${state.baseUrl}/orgs/${org}` },
      user: { login: username, id: 2, type: 'User' },
    });
  }

  const routes: Route[] = [
    {
      method: 'GET',
      path: /^\/orgs\/([^/]+)\/memberships\/([^/]+)$/,
      handle: (context, match) => getOrgMembership(context, decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)),
    },
    {
      method: 'GET',
      path: /^\/user\/installations\/(\d+)\/repositories$/,
      handle: (context, match) => listInstallationRepositories(context, match[1]!),
    },
    { method: 'GET', path: /^\/user\/installations$/, handle: listInstallations },
  ];
  return {
    routes,
    setInstallations: (token: string, list: InstallationPayload[]) => void installations.set(token, list),
    setUserInstallationRepositories: (token: string, installationId: number | string, repositoryIds: ReadonlyArray<number | string>) =>
      void userRepositories.set(`${token}:${installationId}`, new Set(repositoryIds.map(String))),
    revoke: (token: string) => void installations.delete(token),
    setOrgMembership: (
      org: string,
      username: string,
      membership: { state: 'active' | 'pending'; role: 'admin' | 'member' | 'billing_manager' } | null,
    ) => {
      const key = `${org.toLowerCase()}/${username.toLowerCase()}`;
      if (membership) orgMemberships.set(key, membership);
      else orgMemberships.delete(key);
    },
  };
}
