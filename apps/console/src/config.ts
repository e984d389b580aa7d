import { resolve } from 'node:path';
import { parseEncryptionKey } from '#integrations';

export interface ConsoleConfig {
  readonly port: number;
  readonly host: string;
  /** Read models (and, unless EVENT_STORE_URL says otherwise, the event store). Unset: embedded. */
  readonly databaseUrl: string | undefined;
  /** `esdb://…` EventStoreDB, `postgres://…` a PostgreSQL event store, unset: the read-model database. */
  readonly eventStoreUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedDatabasePort: number;
  /** How long a query with `minPosition` waits for its projection before answering 503. */
  readonly consistencyTimeoutMs: number;
  /** Clerk: when a key is set, session tokens are Clerk's; otherwise the local identity provider's. */
  readonly clerk: { readonly jwtKey?: string; readonly secretKey?: string; readonly apiUrl?: string; readonly authorizedParties?: readonly string[] } | null;
  /** `CLERK_WEBHOOK_SECRET` (`whsec_…`, also read as `CLERK_WEBHOOK_SIGNING_SECRET`): verifies `POST /v1/webhooks/clerk`; unset, that route answers 503. */
  readonly clerkWebhookSecret: string | undefined;
  /** `GITHUB_WEBHOOK_SECRET`: the GitHub App's webhook secret, verifies `POST /v1/webhooks/github`; unset, that route answers 503. */
  readonly githubWebhookSecret: string | undefined;
  /** `ENCRYPTION_KEY` (32 bytes) seals GitHub tokens; unset: a key generated once under DATA_DIR. */
  readonly encryptionKey: Buffer | undefined;
  /** `GITHUB_API_URL`: GitHub's REST API, a GitHub Enterprise server's, or a test server's. */
  readonly githubApiUrl: string;
  /**
   * The GitHub App's OAuth client (`GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET`, `GITHUB_WEB_URL`);
   * `returnUrl` (`GITHUB_OAUTH_RETURN_URL`) is where the callback sends the browser afterwards.
   */
  readonly githubOAuth: { readonly clientId: string; readonly clientSecret: string; readonly webUrl: string; readonly returnUrl?: string } | null;
  /** `COHERE_API_KEY` (and `COHERE_API_URL`, default https://api.cohere.com): search reranks with embeddings; unset, full-text ranking only. */
  readonly cohere: { readonly apiKey: string; readonly apiUrl: string } | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  return {
    port: integer(env, 'PORT', 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    eventStoreUrl: env.EVENT_STORE_URL || undefined,
    dataDir: resolve(env.DATA_DIR ?? '.data'),
    embeddedDatabasePort: integer(env, 'EMBEDDED_PG_PORT', 54329),
    consistencyTimeoutMs: integer(env, 'CONSISTENCY_TIMEOUT_MS', 5000),
    clerk:
      env.CLERK_JWT_KEY || env.CLERK_SECRET_KEY
        ? {
            // A PEM in an environment variable often arrives with literal \n sequences.
            jwtKey: env.CLERK_JWT_KEY?.replace(/\\n/g, '\n') || undefined,
            secretKey: env.CLERK_SECRET_KEY || undefined,
            apiUrl: env.CLERK_API_URL || undefined,
            authorizedParties: env.CLERK_AUTHORIZED_PARTIES ? env.CLERK_AUTHORIZED_PARTIES.split(',').map((p) => p.trim()) : undefined,
          }
        : null,
    clerkWebhookSecret: env.CLERK_WEBHOOK_SECRET || env.CLERK_WEBHOOK_SIGNING_SECRET || undefined,
    githubWebhookSecret: env.GITHUB_WEBHOOK_SECRET || undefined,
    // Validated here so a malformed key stops the process at startup, not at the first decryption.
    encryptionKey: env.ENCRYPTION_KEY ? parseEncryptionKey(env.ENCRYPTION_KEY) : undefined,
    githubApiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    githubOAuth:
      env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
        ? {
            clientId: env.GITHUB_CLIENT_ID,
            clientSecret: env.GITHUB_CLIENT_SECRET,
            webUrl: env.GITHUB_WEB_URL || 'https://github.com',
            returnUrl: env.GITHUB_OAUTH_RETURN_URL || undefined,
          }
        : null,
    cohere: env.COHERE_API_KEY ? { apiKey: env.COHERE_API_KEY, apiUrl: (env.COHERE_API_URL || 'https://api.cohere.com').replace(/\/+$/, '') } : null,
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
