import { LRUCache } from 'lru-cache';
import { Redis } from 'ioredis';

/**
 * Where GitHub responses are kept between calls. Values are JSON-serialisable, so the Redis
 * backend shares them across processes and the in-process one is a drop-in for a single process.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  /** `ttlMs` omitted: kept until evicted. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Values are copied in and out, as Redis does by serialising: Octokit's paginate rewrites
 * `response.data` in place, and a shared reference would let it corrupt a stored response.
 */
export class InProcessCache implements Cache {
  private readonly lru: LRUCache<string, { value: unknown }>;

  constructor(maxEntries = 10_000) {
    this.lru = new LRUCache({ max: maxEntries });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.lru.get(key);
    return entry === undefined ? undefined : (structuredClone(entry.value) as T);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.lru.set(key, { value: structuredClone(value) }, ttlMs === undefined ? undefined : { ttl: ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

export class RedisCache implements Cache {
  private readonly redis: Redis;

  /** `prefix` keeps tenants, environments and test runs apart on one server. */
  constructor(
    url: string,
    private readonly prefix = 'console:github:',
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.prefix + key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const raw = JSON.stringify(value);
    if (ttlMs === undefined) await this.redis.set(this.prefix + key, raw);
    else await this.redis.set(this.prefix + key, raw, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  /** Removes every key under the prefix (tests, or a reset of one environment). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

/** Redis when `REDIS_URL` is set, so several processes share one cache; in-process otherwise. */
export function cacheFromEnv(env: NodeJS.ProcessEnv = process.env): Cache {
  return env.REDIS_URL ? new RedisCache(env.REDIS_URL) : new InProcessCache();
}
