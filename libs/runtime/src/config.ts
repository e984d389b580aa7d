import { resolve } from 'node:path';
import { parseEncryptionKey, parseEncryptionKeys } from '#adapters';
import { loadQuotas, loadRateLimits, type QuotaSettings, type RateLimitSettings } from './limits.config.js';

export interface ConsoleConfig {
  readonly port: number;
  readonly host: string;
  /** Read models (and, unless EVENT_STORE_URL says otherwise, the event store). Unset: embedded. */
  readonly databaseUrl: string | undefined;
  /**
   * `DATABASE_READ_URL`: a read replica of DATABASE_URL's database (a standby, or a logical
   * replication subscriber). The api's read-model queries, its `?minPosition=` waits and its caches
   * follow the replica; everything that writes stays on DATABASE_URL. Unset: the api reads DATABASE_URL.
   */
  readonly databaseReadUrl: string | undefined;
  /** `esdb://…` EventStoreDB, `postgres://…` a PostgreSQL event store, unset: the read-model database. */
  readonly eventStoreUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedDatabasePort: number;
  /**
   * `MIGRATE_ON_START` (true): each process creates or updates the schemas it uses when it opens.
   * `false`: it only checks they are current (a deployment runs `console migrate` once first), so
   * the api and the projector need no DDL rights.
   */
  readonly migrateOnStart: boolean;
  /**
   * `EVENT_STORE_GROUP_COMMIT` (true): a PostgreSQL event store writes the appends that arrive while
   * its previous batch is in flight together in one transaction (each still checked on its own).
   */
  readonly eventStoreGroupCommit: boolean;
  /** `PROJECTOR_PORT` (9464, on HOST): the projector daemon's /health/live, /health/ready and /metrics. */
  readonly projectorPort: number;
  /** How long a query with `minPosition` waits for its projection before answering 503. */
  readonly consistencyTimeoutMs: number;
  /**
   * `API_STATEMENT_TIMEOUT_MS` (10000, 0: none): PostgreSQL cancels a statement of the read-model pool
   * (the api's queries; not the projector's or the event store's) running longer, and the api answers 503.
   * `SLOW_QUERY_MS` (500, 0: off): a statement slower than this logs a warning.
   * `QUERIES_PER_REQUEST_WARN` (10, 0: off): a request issuing more statements logs a warning.
   */
  readonly queryMonitoring: { readonly statementTimeoutMs: number; readonly slowQueryMs: number; readonly maxQueriesPerRequest: number };
  /** Clerk: when a key is set, session tokens are Clerk's; otherwise the local identity provider's. */
  /**
   * `CLERK_AUTHORIZED_PARTIES`: accepted `azp` origins, comma-separated (required when NODE_ENV=production);
   * `CLERK_ISSUER`: the one accepted `iss` (unset: not checked).
   */
  readonly clerk: {
    readonly jwtKey?: string;
    readonly secretKey?: string;
    readonly apiUrl?: string;
    readonly authorizedParties?: readonly string[];
    readonly issuer?: string;
  } | null;
  /** `CLERK_WEBHOOK_SECRET` (`whsec_…`, also read as `CLERK_WEBHOOK_SIGNING_SECRET`): verifies `POST /v1/webhooks/clerk`; unset, that route answers 503. */
  readonly clerkWebhookSecret: string | undefined;
  /** `GITHUB_WEBHOOK_SECRET`: the GitHub App's webhook secret, verifies `POST /v1/webhooks/github`; unset, that route answers 503. */
  readonly githubWebhookSecret: string | undefined;
  /** `METRICS_TOKEN`: when set, `GET /metrics` requires `Authorization: Bearer <token>`; unset, it is public. */
  readonly metricsToken: string | undefined;
  /** `GITHUB_APP_SLUG`: the App's URL name, for `GET /v1/github/install` (GitHub's install page); unset, that route answers 503. */
  readonly githubAppSlug: string | undefined;
  /** `ENCRYPTION_KEY` (32 bytes) seals GitHub tokens; unset: a key generated once under DATA_DIR. */
  readonly encryptionKey: Buffer | undefined;
  /** `ENCRYPTION_KEY_PREVIOUS` (comma-separated, default none): keys retired by a rotation; they still open tokens sealed with them, nothing new is sealed with them. */
  readonly previousEncryptionKeys: readonly Buffer[];
  /** `GITHUB_API_URL`: GitHub's REST API, a GitHub Enterprise server's, or a test server's. */
  readonly githubApiUrl: string;
  /**
   * The GitHub App's OAuth client (`GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET`, `GITHUB_WEB_URL`);
   * `returnUrl` (`GITHUB_OAUTH_RETURN_URL`) is where the callback sends the browser afterwards.
   */
  readonly githubOAuth: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly webUrl: string;
    readonly returnUrl?: string;
  } | null;
  /** `COHERE_API_KEY` (and `COHERE_API_URL`, default https://api.cohere.com): search reranks with embeddings; unset, full-text ranking only. */
  readonly cohere: { readonly apiKey: string; readonly apiUrl: string } | null;
  /** `INGESTION_MAX_TREE_ENTRIES` (500000): files of one repository tree a job reads; `INGESTION_GLOB_BUDGET_MS` (10000): matching time of its include globs. */
  readonly ingestionLimits: { readonly maxTreeEntries: number; readonly globBudgetMs: number };
  /** `REDIS_URL`: rate-limit counters shared by every api process; unset, each process counts alone. */
  readonly redisUrl: string | undefined;
  /**
   * `TRUST_PROXY`: Express's `trust proxy` (a hop count, or addresses/subnets such as `loopback, 10.0.0.0/8`),
   * so per-address limits see the client behind a load balancer; unset, the socket's peer address.
   */
  readonly trustProxy: number | string | undefined;
  /** `RATE_LIMIT_*` (`<count>/<seconds>` or `off`): see limits.config.ts and the README. */
  readonly rateLimits: RateLimitSettings;
  /** `QUOTA_*` (a count or `off`): see limits.config.ts and the README. */
  readonly quotas: QuotaSettings;
  /**
   * `OPERATOR_USER_IDS` (comma-separated user ids): who may use the operator console and `/v1/operator/*`,
   * which see every organization's events. Unset: nobody with Clerk; without Clerk, the `npm start`
   * banner's user (`user_local`).
   */
  readonly operatorUserIds: readonly string[];
}

/** The `npm start` banner's user: the operator by default when Clerk is not configured. */
export const LOCAL_OPERATOR_USER_ID = 'user_local';

/** Every setting that is missing or malformed, one line each: the process prints them and exits 1. */
export class ConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Console cannot start; fix ${problems.length === 1 ? 'this setting' : `these ${problems.length} settings`}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads and validates every setting at once: a malformed value, or one production requires, is
 * reported together with all the others (ConfigurationError), never one restart at a time.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const problems: string[] = [];
  const read = <T>(fallback: T, parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return fallback;
    }
  };
  const int = (name: string, fallback: number) => read(fallback, () => integer(env, name, fallback));
  problems.push(...productionProblems(env));
  const config: ConsoleConfig = {
    port: int('PORT', 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReadUrl: read(undefined, () => databaseReadUrl(env)),
    eventStoreUrl: read(undefined, () => eventStoreUrl(env.EVENT_STORE_URL)),
    dataDir: resolve(env.DATA_DIR || '.data'),
    embeddedDatabasePort: int('EMBEDDED_PG_PORT', 54329),
    migrateOnStart: read(true, () => boolean('MIGRATE_ON_START', env.MIGRATE_ON_START, true)),
    eventStoreGroupCommit: read(true, () => boolean('EVENT_STORE_GROUP_COMMIT', env.EVENT_STORE_GROUP_COMMIT, true)),
    projectorPort: int('PROJECTOR_PORT', 9464),
    consistencyTimeoutMs: int('CONSISTENCY_TIMEOUT_MS', 5000),
    queryMonitoring: {
      statementTimeoutMs: int('API_STATEMENT_TIMEOUT_MS', 10_000),
      slowQueryMs: int('SLOW_QUERY_MS', 500),
      maxQueriesPerRequest: int('QUERIES_PER_REQUEST_WARN', 10),
    },
    clerk:
      env.CLERK_JWT_KEY || env.CLERK_SECRET_KEY
        ? {
            // A PEM in an environment variable often arrives with literal \n sequences.
            jwtKey: env.CLERK_JWT_KEY?.replace(/\\n/g, '\n') || undefined,
            secretKey: env.CLERK_SECRET_KEY || undefined,
            apiUrl: env.CLERK_API_URL || undefined,
            authorizedParties: env.CLERK_AUTHORIZED_PARTIES
              ? env.CLERK_AUTHORIZED_PARTIES.split(',')
                  .map((p) => p.trim())
                  .filter(Boolean)
              : undefined,
            issuer: env.CLERK_ISSUER || undefined,
          }
        : null,
    clerkWebhookSecret: env.CLERK_WEBHOOK_SECRET || env.CLERK_WEBHOOK_SIGNING_SECRET || undefined,
    githubWebhookSecret: env.GITHUB_WEBHOOK_SECRET || undefined,
    metricsToken: env.METRICS_TOKEN || undefined,
    githubAppSlug: env.GITHUB_APP_SLUG || undefined,
    // Validated here so a malformed key stops the process at startup, not at the first decryption.
    encryptionKey: read(undefined, () => (env.ENCRYPTION_KEY ? parseEncryptionKey(env.ENCRYPTION_KEY) : undefined)),
    previousEncryptionKeys: read([], () =>
      env.ENCRYPTION_KEY_PREVIOUS ? parseEncryptionKeys(env.ENCRYPTION_KEY_PREVIOUS, 'ENCRYPTION_KEY_PREVIOUS') : [],
    ),
    githubApiUrl: read('https://api.github.com', () => httpUrl('GITHUB_API_URL', env.GITHUB_API_URL || 'https://api.github.com')),
    githubOAuth:
      env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
        ? {
            clientId: env.GITHUB_CLIENT_ID,
            clientSecret: env.GITHUB_CLIENT_SECRET,
            webUrl: env.GITHUB_WEB_URL || 'https://github.com',
            returnUrl: env.GITHUB_OAUTH_RETURN_URL || undefined,
          }
        : null,
    ingestionLimits: {
      maxTreeEntries: int('INGESTION_MAX_TREE_ENTRIES', 500_000),
      globBudgetMs: int('INGESTION_GLOB_BUDGET_MS', 10_000),
    },
    cohere: env.COHERE_API_KEY
      ? {
          apiKey: env.COHERE_API_KEY,
          apiUrl: read('https://api.cohere.com', () => httpUrl('COHERE_API_URL', env.COHERE_API_URL || 'https://api.cohere.com')),
        }
      : null,
    redisUrl: env.REDIS_URL || undefined,
    trustProxy: env.TRUST_PROXY ? (/^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY) : undefined,
    rateLimits: loadRateLimits(env, problems),
    quotas: loadQuotas(env, problems),
    operatorUserIds: operatorUserIds(env),
  };
  if (problems.length > 0) throw new ConfigurationError(problems);
  return config;
}

/** For entry points: the settings, or every problem with them on stderr and exit code 1 (no stack trace). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/**
 * What production requires beyond well-formed values:
 * - Clerk without an `azp` allowlist accepts a session token minted for any other site of the same
 *   Clerk instance (or its development frontends);
 * - without ENCRYPTION_KEY each process would generate its own key file, so replicas could not
 *   open each other's GitHub tokens, and a re-created container would lose them all;
 * - a data directory is written only where the operator said: the embedded PostgreSQL (no
 *   DATABASE_URL) and the local identity keys (no Clerk) need an explicit DATA_DIR.
 */
function productionProblems(env: NodeJS.ProcessEnv): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  const clerk = Boolean(env.CLERK_JWT_KEY || env.CLERK_SECRET_KEY);
  const parties = (env.CLERK_AUTHORIZED_PARTIES ?? '').split(',').filter((p) => p.trim() !== '');
  if (clerk && parties.length === 0) {
    problems.push(
      'CLERK_AUTHORIZED_PARTIES must be set when NODE_ENV=production and Clerk is configured: the comma-separated origins of your frontends, e.g. https://app.example.com',
    );
  }
  if (!env.ENCRYPTION_KEY) {
    problems.push(
      'ENCRYPTION_KEY must be set when NODE_ENV=production: 32 random bytes in base64 or hex (`openssl rand -base64 32`), the same for every api and projector process',
    );
  }
  const writers = [
    ...(env.DATABASE_URL ? [] : ['the embedded PostgreSQL (DATABASE_URL is unset)']),
    ...(clerk ? [] : ['local identity keys (Clerk is not configured)']),
  ];
  if (!env.DATA_DIR && writers.length > 0) {
    problems.push(`DATA_DIR must be set when NODE_ENV=production and a process keeps files: ${writers.join(' and ')}`);
  }
  return problems;
}

function operatorUserIds(env: NodeJS.ProcessEnv): readonly string[] {
  const listed = (env.OPERATOR_USER_IDS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (listed.length > 0) return listed;
  return env.CLERK_JWT_KEY || env.CLERK_SECRET_KEY ? [] : [LOCAL_OPERATOR_USER_ID];
}

function eventStoreUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (/^(esdb|esdb\+discover|postgres|postgresql):\/\//.test(raw)) return raw;
  throw new Error(
    `EVENT_STORE_URL must start with esdb://, esdb+discover://, postgres:// or postgresql://, got "${raw.replace(/\/\/[^@/]*@/, '//…@')}"`,
  );
}

function databaseReadUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.DATABASE_READ_URL;
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw))
    throw new Error(`DATABASE_READ_URL must start with postgres:// or postgresql://, got "${redacted(raw)}"`);
  // The embedded database (no DATABASE_URL) has no replica; a replica of nothing named is a mistake.
  if (!env.DATABASE_URL) throw new Error('DATABASE_READ_URL needs DATABASE_URL: a read replica replicates the primary named there');
  return raw;
}

const redacted = (url: string) => url.replace(/\/\/[^@/]*@/, '//…@');

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function boolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1)$/i.test(raw)) return true;
  if (/^(false|0)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
