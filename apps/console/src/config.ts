import { resolve } from 'node:path';

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
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
