/**
 * Rate limits and quotas, read from the environment at startup (a malformed value stops the
 * process there, not at the first request). The tables are also what 429/422 messages quote, so an
 * operator reading an error finds the setting to change.
 */

/** Who a rate limit counts: the caller's address, its API key, or the organization in the URL. */
export type RateLimitSubject = 'address' | 'apiKey' | 'organization';

export const RATE_LIMITS = {
  authFailures: { env: 'RATE_LIMIT_AUTH_FAILURES', fallback: '60/60', per: 'address', counts: 'failed authentications' },
  search: { env: 'RATE_LIMIT_SEARCH', fallback: '300/60', per: 'apiKey', counts: 'searches' },
  contents: { env: 'RATE_LIMIT_CONTENTS', fallback: '600/60', per: 'apiKey', counts: 'contents requests' },
  connect: { env: 'RATE_LIMIT_CONNECT', fallback: '30/60', per: 'organization', counts: 'repository connections' },
  reindex: { env: 'RATE_LIMIT_REINDEX', fallback: '30/60', per: 'organization', counts: 'reindex requests' },
  workspaceCreate: { env: 'RATE_LIMIT_WORKSPACE_CREATE', fallback: '30/60', per: 'organization', counts: 'workspace creations' },
} as const satisfies Record<string, { env: string; fallback: string; per: RateLimitSubject; counts: string }>;

export type RateLimitName = keyof typeof RATE_LIMITS;

/** At most `limit` in a fixed window of `windowSeconds`, which starts with the first hit. */
export interface RateLimitWindow {
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimitSettings {
  /** `null`: that limit is off (`RATE_LIMIT_…=off`). */
  readonly windows: Readonly<Record<RateLimitName, RateLimitWindow | null>>;
  /** `RATE_LIMIT_REDIS_PREFIX`: keeps deployments (and test runs) apart on one Redis. */
  readonly redisPrefix: string;
}

export const QUOTAS = {
  repositories: { env: 'QUOTA_REPOSITORIES', fallback: 1000, per: 'organization', counts: 'active repositories' },
  workspaces: { env: 'QUOTA_WORKSPACES', fallback: 100, per: 'organization', counts: 'workspaces' },
  // Per user: a key belongs to its user (its stream is the user's, `/v1/me/api-keys` names no
  // organization, and one key reaches every organization its user is a member of).
  apiKeys: { env: 'QUOTA_API_KEYS_PER_USER', fallback: 50, per: 'user', counts: 'active API keys' },
  queuedJobs: { env: 'QUOTA_QUEUED_JOBS', fallback: 100, per: 'organization', counts: 'ingestion jobs queued or running' },
} as const satisfies Record<string, { env: string; fallback: number; per: 'organization' | 'user'; counts: string }>;

export type QuotaName = keyof typeof QUOTAS;

/** `null`: no quota (`QUOTA_…=off`). */
export type QuotaSettings = Readonly<Record<QuotaName, number | null>>;

/** `problems`: collects one message per malformed setting (the default is kept for it) instead of throwing at the first. */
export function loadRateLimits(env: NodeJS.ProcessEnv, problems?: string[]): RateLimitSettings {
  const windows = Object.fromEntries(
    Object.entries(RATE_LIMITS).map(([name, { env: variable, fallback }]) => [
      name,
      collecting(
        problems,
        () => rateWindow(variable, env[variable] || fallback),
        () => rateWindow(variable, fallback),
      ),
    ]),
  ) as Record<RateLimitName, RateLimitWindow | null>;
  return { windows, redisPrefix: env.RATE_LIMIT_REDIS_PREFIX || 'console:rate-limit:' };
}

export function loadQuotas(env: NodeJS.ProcessEnv, problems?: string[]): QuotaSettings {
  return Object.fromEntries(
    Object.entries(QUOTAS).map(([name, { env: variable, fallback }]) => [
      name,
      collecting(
        problems,
        () => quota(variable, env[variable] || String(fallback)),
        () => fallback,
      ),
    ]),
  ) as Record<QuotaName, number | null>;
}

function collecting<T>(problems: string[] | undefined, parse: () => T, fallback: () => T): T {
  if (!problems) return parse();
  try {
    return parse();
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
    return fallback();
  }
}

function rateWindow(variable: string, raw: string): RateLimitWindow | null {
  if (raw.trim().toLowerCase() === 'off') return null;
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,7})\s*s?\s*$/.exec(raw);
  const limit = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || limit < 1 || windowSeconds < 1)
    throw new Error(`${variable} must be "<count>/<seconds>" (e.g. "60/60") or "off", got "${raw}"`);
  return { limit, windowSeconds };
}

function quota(variable: string, raw: string): number | null {
  if (raw.trim().toLowerCase() === 'off') return null;
  if (!/^\s*\d{1,9}\s*$/.test(raw)) throw new Error(`${variable} must be a non-negative integer or "off", got "${raw}"`);
  return Number(raw);
}
