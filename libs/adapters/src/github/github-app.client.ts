import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { cacheFromEnv, type Cache } from './cache.js';
import { useConditionalRequests } from './conditional-cache.js';
import { useGitHubMetrics } from './github-metrics.js';

export interface GitHubAppConfig {
  readonly appId: string;
  /** PEM, PKCS#1 or PKCS#8; `\n` escapes (as environment variables often carry them) are accepted. */
  readonly privateKey: string;
  /** `GITHUB_API_URL`: https://api.github.com, a GitHub Enterprise `…/api/v3`, or a test server. */
  readonly baseUrl: string;
}

export interface GitHubAppClientOptions {
  /** Retries of a 5xx or a network failure (plugin-retry); 0 in tests that exercise failures. */
  readonly retries?: number;
  /** Retries after a primary or secondary rate limit (plugin-throttling), waiting as GitHub says. */
  readonly rateLimitRetries?: number;
  readonly userAgent?: string;
}

export type GitHubAppOctokit = InstanceType<typeof AppOctokit>;

const AppOctokit = Octokit.plugin(throttling, retry);

/**
 * plugin-throttling paces every POST, GraphQL queries included, through one process-wide "write"
 * group at one request a second (GitHub's advice for content-creating writes). The App clients
 * write nothing; their POSTs are GraphQL blob reads (one point each: 50 objects), which GitHub's
 * secondary limits cap at 2,000 points a minute and 100 concurrent requests, so they get a group of
 * their own paced just under that: four in flight, one start per 30 ms (33 a second, ~1,650 files a
 * second). The hourly point budget is GitHub's to enforce: a rate-limit answer is waited out
 * (plugin-throttling) rather than guessed here.
 */
const graphQLReads = new Bottleneck.Group({ id: 'console-github-graphql-reads', maxConcurrent: 4, minTime: 30 });

export function gitHubAppConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GitHubAppConfig {
  const appId = env.GITHUB_APP_ID;
  const privateKey = env.GITHUB_APP_PRIVATE_KEY;
  if (!appId || !privateKey) throw new Error('GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY must be set for GitHub App calls');
  return { appId, privateKey: privateKey.replace(/\\n/g, '\n'), baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com' };
}

/**
 * Octokit clients authenticated as one installation of the GitHub App. One client per installation
 * is kept, because auth-app caches the installation token (about an hour) inside the client: reusing
 * it means one token request per installation per hour, not one per call.
 */
export class GitHubAppClients {
  private readonly clients = new Map<string, GitHubAppOctokit>();

  constructor(
    private readonly config: GitHubAppConfig,
    private readonly cache: Cache,
    private readonly options: GitHubAppClientOptions = {},
  ) {}

  forInstallation(installationId: string): GitHubAppOctokit {
    let client = this.clients.get(installationId);
    if (!client) {
      client = this.create(installationId);
      this.clients.set(installationId, client);
    }
    return client;
  }

  private create(installationId: string): GitHubAppOctokit {
    const rateLimitRetries = this.options.rateLimitRetries ?? 1;
    const octokit = new AppOctokit({
      authStrategy: createAppAuth,
      auth: { appId: this.config.appId, privateKey: this.config.privateKey, installationId },
      baseUrl: this.config.baseUrl,
      userAgent: this.options.userAgent ?? 'console',
      log: silentLog,
      retry: { retries: this.options.retries ?? 3 },
      throttle: {
        write: graphQLReads,
        onRateLimit: (_retryAfter: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < rateLimitRetries,
        onSecondaryRateLimit: (_retryAfter: number, _options: object, _octokit: unknown, retryCount: number) =>
          retryCount < rateLimitRetries,
      },
    });
    // Order matters: hooks wrap outwards, so metrics see every network call (304s included) and
    // the conditional cache turns a 304 into the stored 200 outside them.
    useGitHubMetrics(octokit, installationId);
    useConditionalRequests(octokit, this.cache, { installationId });
    return octokit;
  }
}

const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface GitHubApp {
  readonly clients: GitHubAppClients;
  /** ETags and cached answers (Redis with REDIS_URL): close it with the process. */
  readonly cache: Cache;
}

/**
 * The GitHub App of this process, read once at start-up: its clients and their response cache, or
 * null without GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (callers then answer or fail with
 * `github_not_configured`). `baseUrl` is the configured GitHub API (GitHub Enterprise, a test server).
 */
export function gitHubAppFromEnv(baseUrl: string, env: NodeJS.ProcessEnv = process.env): GitHubApp | null {
  if (!env.GITHUB_APP_ID || !env.GITHUB_APP_PRIVATE_KEY) return null;
  const cache = cacheFromEnv(env);
  return { clients: new GitHubAppClients({ ...gitHubAppConfigFromEnv(env), baseUrl }, cache), cache };
}
