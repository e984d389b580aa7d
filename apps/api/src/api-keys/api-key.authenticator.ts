import { HttpStatus, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { apiKeyUsageStreamId, type ApiKeyUsed } from '#domain';
import { eventIdFor } from '#event-store';
import type { Principal } from '#integrations';
import { ApiError } from '../common/api-error.js';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { hashApiKey, isApiKeyToken, isWellFormedApiKey } from './api-key-secret.js';

/**
 * A caller authenticated by an API key. Keys belong to a user, not to an organization, so the
 * organization fields are null: routes that need an organization refuse such a principal, and
 * the routes marked **key** take the workspace from `X-Workspace-ID`.
 */
export type ApiKeyPrincipal = Principal & { readonly kind: 'apiKey'; readonly apiKeyId: string };

export const isApiKeyPrincipal = (principal: Principal): principal is ApiKeyPrincipal => (principal as Partial<ApiKeyPrincipal>).kind === 'apiKey';

/** A key must not mint, rotate or revoke keys: a leaked key could otherwise outlive its own revocation. */
export function requireSessionPrincipal(principal: Principal): Principal {
  if (isApiKeyPrincipal(principal)) throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', 'API keys cannot manage API keys; use a session token');
  return principal;
}

/** Last use is recorded at most once per key per this interval. */
export const API_KEY_USE_INTERVAL_MS = 60_000;
/** Past this many tracked keys, entries older than the interval are pruned. */
const MAX_TRACKED_KEYS = 10_000;

interface KeyRow {
  id: string;
  user_id: string;
  is_active: boolean;
  expires_at: Date | null;
  last_used_at: Date | null;
}

const unauthenticated = (message: string) => new ApiError(HttpStatus.UNAUTHORIZED, 'unauthenticated', message);

@Injectable()
export class ApiKeyAuthenticator implements OnApplicationShutdown {
  /** keyId → when this process last recorded (or saw recorded) a use. */
  private readonly lastRecorded = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  /**
   * One indexed lookup by hash on the `api_keys` read model. The read model trails the key stream by
   * the projector's lag (milliseconds when live): a key works once its creation is projected and
   * stops working once its revocation is.
   */
  async authenticate(secret: string, now: Date = new Date()): Promise<ApiKeyPrincipal> {
    if (!isWellFormedApiKey(secret)) throw unauthenticated('The API key is malformed');
    const rows: KeyRow[] = await this.runtime.dataSource.query(
      'SELECT id, user_id, is_active, expires_at, last_used_at FROM api_keys WHERE key_hash = $1 LIMIT 2',
      [hashApiKey(secret)],
    );
    // Two rows for one hash cannot happen with random secrets; if it ever did, trust neither.
    if (rows.length !== 1) throw unauthenticated('The API key is not valid');
    const row = rows[0]!;
    if (!row.is_active) throw unauthenticated('The API key has been revoked');
    if (row.expires_at && row.expires_at.getTime() <= now.getTime()) throw unauthenticated(`The API key expired at ${row.expires_at.toISOString()}`);
    this.recordUse(row, now);
    return { kind: 'apiKey', userId: row.user_id, apiKeyId: row.id, organizationId: null, organizationSlug: null, role: null };
  }

  /** Resolves when every use recorded so far has been appended (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /**
   * `last_used_at` must not be written to the read model directly: read models are rebuilt from
   * events, and a replay would lose every such write. A use is therefore an `ApiKeyUsed` event,
   * recorded at most once per key per interval so a busy key costs one append a minute, not one
   * per request. The throttle holds within this process (the map, updated before the append starts,
   * so concurrent requests cannot both append) and across processes and restarts (the projected
   * `last_used_at`, and an event id derived from the key and the interval bucket: a second append
   * for the same bucket is a duplicate the store ignores).
   *
   * The append runs off the request path: a slow or failing event store delays no request, and a
   * failed append is forgotten so the next request tries again.
   */
  private recordUse(row: KeyRow, now: Date): void {
    const at = now.getTime();
    const last = Math.max(this.lastRecorded.get(row.id) ?? -Infinity, row.last_used_at?.getTime() ?? -Infinity);
    if (at - last < API_KEY_USE_INTERVAL_MS) return;
    this.track(row.id, at);
    const event: ApiKeyUsed = { type: 'ApiKeyUsed', data: { userId: row.user_id, keyId: row.id, usedAt: now.toISOString() } };
    const id = eventIdFor(`api-key-used:${row.id}:${Math.floor(at / API_KEY_USE_INTERVAL_MS)}`, 0);
    const append = this.runtime.store
      .append(apiKeyUsageStreamId(row.id), [{ id, ...event, metadata: { userId: row.user_id, schemaVersion: 1 } }], 'any')
      .then(
        () => undefined,
        (error: unknown) => {
          if (this.lastRecorded.get(row.id) === at) this.lastRecorded.delete(row.id);
          this.runtime.logger.warn({ err: error, apiKeyId: row.id }, 'could not record API key use');
        },
      )
      .finally(() => this.pending.delete(append));
    this.pending.add(append);
  }

  private track(keyId: string, at: number): void {
    if (this.lastRecorded.size >= MAX_TRACKED_KEYS) {
      for (const [id, when] of this.lastRecorded) if (at - when >= API_KEY_USE_INTERVAL_MS) this.lastRecorded.delete(id);
    }
    this.lastRecorded.set(keyId, at);
  }
}

/**
 * For the AuthGuard: the principal of an `lf_…` bearer token, or null when the token is not an API
 * key (verify it as a session token then). Throws a 401 naming the reason (malformed, unknown,
 * revoked, expired) for an API key that does not authenticate.
 */
export async function authenticateApiKeyBearer(token: string, authenticator: ApiKeyAuthenticator): Promise<ApiKeyPrincipal | null> {
  if (!isApiKeyToken(token)) return null;
  return authenticator.authenticate(token);
}
