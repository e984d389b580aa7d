import { DEMO_REPOSITORY, startDemoGitHub, type DemoGitHub } from '#testing';

/**
 * `npm start -- --demo` (or CONSOLE_DEMO=1): a fake GitHub on loopback with a GitHub App, an
 * installation and a documentation repository, so ingestion, search and webhooks can be tried
 * with no GitHub account. The environment is set before the config is read: the api and the
 * reactors then talk to the fake exactly as they would to GitHub.
 */
export async function startDemoGitHubFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<DemoGitHub | null> {
  if (!argv.includes('--demo') && env.CONSOLE_DEMO !== '1') return null;
  const github = await startDemoGitHub({ port: Number(env.DEMO_GITHUB_PORT ?? 0) });
  env.GITHUB_APP_ID = github.appId;
  env.GITHUB_APP_PRIVATE_KEY = github.privateKey;
  env.GITHUB_API_URL = github.url;
  env.GITHUB_WEBHOOK_SECRET ??= 'demo-webhook-secret';
  // The fake's OAuth app: the demo user connects GitHub as a user would (`/v1/github/auth` → callback).
  env.GITHUB_CLIENT_ID ??= 'gh-client-id';
  env.GITHUB_CLIENT_SECRET ??= 'gh-client-secret';
  env.GITHUB_WEB_URL ??= github.url;
  return github;
}

/** The fields of the API's answers the demo reads. */
interface DemoBody {
  readonly [field: string]: unknown;
  readonly repositoryId?: string;
  readonly position?: string;
  readonly jobId?: string;
  readonly workspaceId?: string;
  readonly workspaceName?: string;
  readonly key?: string;
  readonly error?: { readonly details?: { readonly repositoryId?: string; readonly jobId?: string } };
}

interface DemoSetup {
  readonly repositoryId: string;
  readonly jobId: string;
  readonly workspaceId: string;
  readonly workspaceName: string;
  readonly apiKey: string;
}

/** Connects the demo repository to organization "acme" and asks for a reindex, through the HTTP API. */
export async function setUpDemo(url: string, token: string, github: DemoGitHub): Promise<DemoSetup> {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as DemoBody };
  };
  // "acme", with user_local as its admin (the membership API keys need), was created by `bannerSession` before the token was minted.
  // Connecting a repository needs the member's own GitHub access: the demo user connects GitHub
  // through the OAuth round a browser makes (the cookie binds the round; the fake approves at once).
  const started = await fetch(`${url}/v1/github/auth`, { headers: { authorization: `Bearer ${token}` } });
  const authorizeUrl = ((await started.json()) as DemoBody).url;
  if (started.status !== 200 || typeof authorizeUrl !== 'string') throw new Error(`Demo: starting GitHub OAuth answered ${started.status}`);
  const cookie = started.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const code = github.github.authorize(authorizeUrl, github.userToken);
  const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
  const callback = await fetch(`${url}/v1/github/callback?${new URLSearchParams({ code, state })}`, {
    headers: { cookie },
    redirect: 'manual',
  });
  if (callback.status !== 200 && callback.status !== 302)
    throw new Error(`Demo: the GitHub OAuth callback answered ${callback.status} ${await callback.text()}`);
  const connected = await call('POST', '/v1/orgs/acme/repositories', {
    githubRepoId: String(DEMO_REPOSITORY.id),
    githubInstallationId: github.installationId,
  });
  // 409 after a restart: the repository was connected by an earlier demo run, and is reindexed again.
  const repositoryId = required(
    connected.status === 409 ? connected.body.error?.details?.repositoryId : connected.body.repositoryId,
    'connecting the repository',
    connected,
  );
  const after = (position: string | undefined) => (position ? `?minPosition=${encodeURIComponent(position)}` : '');
  const reindex = await call('POST', `/v1/orgs/acme/repositories/${repositoryId}/reindex${after(connected.body.position)}`);
  const workspace = await call('GET', `/v1/orgs/acme/workspaces/default${after(reindex.body.position)}`);
  const key = await call('POST', '/v1/me/api-keys', { name: `demo ${new Date().toISOString()}` });
  return {
    repositoryId,
    jobId: required(reindex.body.jobId ?? reindex.body.error?.details?.jobId, 'asking for a reindex', reindex),
    workspaceId: required(workspace.body.workspaceId, 'reading the default workspace', workspace),
    workspaceName: required(workspace.body.workspaceName, 'reading the default workspace', workspace),
    apiKey: required(key.body.key, 'creating an API key', key),
  };
}

function required(value: string | undefined, step: string, response: { status: number; body: DemoBody }): string {
  if (value === undefined) throw new Error(`Demo: ${step} answered ${response.status} ${JSON.stringify(response.body)}`);
  return value;
}
