import type { Logger } from '#adapters';
import { HttpStatus, Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '../common/api-error.js';
import { CONFIG, LOGGER, RATE_LIMITS, type ConsoleConfig, type RateLimitName, type RateLimitWindow } from '#runtime';

const REDIS_READY_WAIT_MS = 3000;
const SUBJECT_LABEL = { address: 'this client address', apiKey: 'this API key', organization: 'this organization' } as const;

/**
 * Fixed-window counters, one per named limit (`RATE_LIMITS`), in Redis when `REDIS_URL` is set so
 * every api process shares them, in process otherwise. A Redis that is down or not yet connected
 * does not fail requests: each limiter falls back to an in-process one (its insurance) until Redis
 * answers again, so limits then hold per process instead of per deployment.
 */
@Injectable()
export class RateLimits implements OnModuleInit, OnModuleDestroy {
  private readonly redis: Redis | null;
  private readonly limiters = new Map<RateLimitName, { readonly window: RateLimitWindow; readonly limiter: RateLimiterAbstract }>();

  constructor(@Inject(CONFIG) config: ConsoleConfig, @Inject(LOGGER) logger: Logger) {
    const { rateLimits, redisUrl } = config;
    // No offline queue: a request never waits for a reconnect, the insurance limiter answers instead.
    this.redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : null;
    this.redis?.on('error', (error) => logger.warn({ err: error }, 'rate-limit Redis unavailable; counting in process'));
    for (const name of Object.keys(RATE_LIMITS) as RateLimitName[]) {
      const window = rateLimits.windows[name];
      if (!window) continue;
      const options = { points: window.limit, duration: window.windowSeconds, keyPrefix: `${rateLimits.redisPrefix}${name}` };
      const limiter = this.redis
        ? new RateLimiterRedis({
            ...options,
            storeClient: this.redis,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
      this.limiters.set(name, { window, limiter });
    }
  }

  /** Counts one request of `subject` against `name`; a 429 once the window's count is spent. */
  async hit(name: RateLimitName, subject: string): Promise<void> {
    const entry = this.limiters.get(name);
    if (!entry) return;
    try {
      await entry.limiter.consume(subject);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(name, entry.window, rejection.msBeforeNext);
      throw rejection;
    }
  }

  /** A 429 when `subject` has already spent `name` in this window; counts nothing. */
  async refuseIfSpent(name: RateLimitName, subject: string): Promise<void> {
    const entry = this.limiters.get(name);
    if (!entry) return;
    const state = await entry.limiter.get(subject);
    if (state && state.consumedPoints >= entry.window.limit) throw rateLimited(name, entry.window, state.msBeforeNext);
  }

  /** Counts one event (a failed authentication) without refusing the request that caused it. */
  async record(name: RateLimitName, subject: string): Promise<void> {
    await this.limiters.get(name)?.limiter.penalty(subject);
  }

  /**
   * Waits (bounded) for the connection, so the first requests are counted in Redis rather than by
   * the per-process insurance; a Redis that refuses or does not answer in time delays nothing more.
   */
  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    const signal = AbortSignal.timeout(REDIS_READY_WAIT_MS);
    await Promise.race([once(redis, 'ready', { signal }), once(redis, 'error', { signal })]).catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    this.redis?.disconnect();
  }
}

function rateLimited(name: RateLimitName, window: RateLimitWindow, msBeforeNext: number): ApiError {
  const { env, per, counts } = RATE_LIMITS[name];
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(
    HttpStatus.TOO_MANY_REQUESTS,
    'rate_limited',
    `Too many ${counts} from ${SUBJECT_LABEL[per]}: the limit is ${window.limit} per ${window.windowSeconds} s (${env}); retry in ${retryAfter} s`,
    { limit: name, setting: env, max: window.limit, windowSeconds: window.windowSeconds, retryAfterSeconds: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );
}
