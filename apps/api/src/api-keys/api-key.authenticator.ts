import { EVENT_STORE, LOGGER } from '#runtime';
import { ApiKeyQueries } from '#read-models';
import type { EventStore } from '#event-store';
import type { Logger } from '#adapters';
import { HttpStatus, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import { apiKeyDecider, apiKeyStreamId, apiKeyUsageStreamId, type ApiKeyUsed } from '#domain';
import { aggregateStream, eventIdFor } from '#event-store';
import { metricsRegistry, type Principal } from '#adapters';
import { ApiError } from '../common/api-error.js';
import { hashApiKey, isApiKeyToken, isWellFormedApiKey } from './api-key-secret.js';
import { keyOwner } from './api-key-owner.js';

/**
 * A caller authenticated by an API key. Keys belong to a user, not to an organization, so the
 * organization fields are null: routes that need an organization refuse such a principal, and
 * the routes marked **key** take the workspace from `X-Workspace-ID`.
 */
export type ApiKeyPrincipal = Principal & { readonly kind: 'apiKey'; readonly apiKeyId: string };

export const isApiKeyPrincipal = (principal: Principal): principal is ApiKeyPrincipal =>
  (principal as Partial<ApiKeyPrincipal>).kind === 'apiKey';

/** A key must not mint, rotate or revoke keys: a leaked key could otherwise outlive its own revocation. */
export function requireSessionPrincipal(principal: Principal): Principal {
  if (isApiKeyPrincipal(principal))
    throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', 'API keys cannot manage API keys; use a session token');
  return principal;
}

/** Last use is recorded at most once per key per this interval. */
export const API_KEY_USE_INTERVAL_MS = 60_000;
/** Past this many tracked keys, entries older than the interval are pruned. */
const MAX_TRACKED_KEYS = 10_000;

/** What authentication needs to know of a key, from the read model or from its stream. */
interface KeyStatus {
  readonly id: string;
  readonly userId: string;
  readonly active: boolean;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export const apiKeyLookups = new Counter({
  name: 'api_key_lookups_total',
  help: 'API key authentications by where the key was decided: the read model, or the log when the read model had not applied the key stream yet',
  labelNames: ['via'] as const,
  registers: [metricsRegistry],
});

const unauthenticated = (message: string) => new ApiError(HttpStatus.UNAUTHORIZED, 'unauthenticated', message);

@Injectable()
export class ApiKeyAuthenticator implements OnApplicationShutdown {
  /** keyId → when this process last recorded (or saw recorded) a use. */
  private readonly lastRecorded = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly keys: ApiKeyQueries,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Decided as of the log, whatever the projector's lag and in every process: a key works from the
   * response that created it and stops at the response that revoked it. See `lookup` for the cost.
   */
  async authenticate(secret: string, now: Date = new Date()): Promise<ApiKeyPrincipal> {
    if (!isWellFormedApiKey(secret)) throw unauthenticated('The API key is malformed');
    const key = await this.lookup(hashApiKey(secret));
    if (!key) throw unauthenticated('The API key is not valid');
    if (!key.active) throw unauthenticated('The API key has been revoked');
    if (key.expiresAt && key.expiresAt.getTime() <= now.getTime())
      throw unauthenticated(`The API key expired at ${key.expiresAt.toISOString()}`);
    this.recordUse(key, now);
    return { kind: 'apiKey', userId: key.userId, apiKeyId: key.id, organizationId: null, organizationSlug: null, role: null };
  }

  /**
   * Usually two point reads: the key's row by hash (with the projection's checkpoint, one statement)
   * and the head of the owner's key stream. When the checkpoint has reached that head, the row is
   * the stream's truth. Otherwise (a key command the projector has not applied yet, or a projector
   * that is down) the owner's stream is read and folded; a key with no row is found through its
   * hash's owner pointer (`ApiKeyHashRegistered`), an unknown key costs one read of an empty stream.
   */
  private async lookup(hash: string): Promise<KeyStatus | null> {
    const rows = await this.keys.byHash(hash);
    // Two rows for one hash cannot happen with random secrets; if it ever did, trust neither.
    if (rows.length > 1) return null;
    const row = rows[0];
    if (row && (await this.projectedUpToHead(row.user_id, row.checkpoint))) {
      apiKeyLookups.inc({ via: 'read_model' });
      return { id: row.id, userId: row.user_id, active: row.is_active, expiresAt: row.expires_at, lastUsedAt: row.last_used_at };
    }
    const userId = row?.user_id ?? (await keyOwner(this.eventStore, hash));
    apiKeyLookups.inc({ via: 'stream' });
    if (!userId) return null;
    const { state: ring } = await aggregateStream(this.eventStore, apiKeyStreamId(userId), apiKeyDecider);
    for (const [id, key] of ring.keys) {
      if (key.keyHash !== hash) continue;
      if (key.status === 'deleted') return null;
      return {
        id,
        userId,
        active: key.status === 'active',
        expiresAt: key.expiresAt ? new Date(key.expiresAt) : null,
        lastUsedAt: row?.last_used_at ?? null,
      };
    }
    return null;
  }

  private async projectedUpToHead(userId: string, checkpoint: string | null): Promise<boolean> {
    if (checkpoint === null) return false;
    const head = await this.eventStore.streamHead(apiKeyStreamId(userId));
    return head !== null && this.eventStore.comparePositions(head.position, checkpoint) <= 0;
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
  private recordUse(key: KeyStatus, now: Date): void {
    const at = now.getTime();
    const last = Math.max(this.lastRecorded.get(key.id) ?? -Infinity, key.lastUsedAt?.getTime() ?? -Infinity);
    if (at - last < API_KEY_USE_INTERVAL_MS) return;
    this.track(key.id, at);
    const event: ApiKeyUsed = { type: 'ApiKeyUsed', data: { userId: key.userId, keyId: key.id, usedAt: now.toISOString() } };
    const id = eventIdFor(`api-key-used:${key.id}:${Math.floor(at / API_KEY_USE_INTERVAL_MS)}`, 0);
    const append = this.eventStore
      .append(apiKeyUsageStreamId(key.id), [{ id, ...event, metadata: { userId: key.userId, schemaVersion: 1 } }], 'any')
      .then(
        () => undefined,
        (error: unknown) => {
          if (this.lastRecorded.get(key.id) === at) this.lastRecorded.delete(key.id);
          this.logger.warn({ err: error, apiKeyId: key.id }, 'could not record API key use');
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
