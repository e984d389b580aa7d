import type { Cache } from './cache.js';

/**
 * A TTL cache in front of a loader, with single-flight: while a load for a key is running, every
 * other caller for that key awaits the same promise instead of sending its own requests.
 * Single-flight is per process; across processes the shared Redis entry plays that role once set.
 */
export class SingleFlightCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly cache: Cache) {}

  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    // Registered synchronously, before the first await, so callers in the same tick join it.
    const promise = (async () => {
      const cached = await this.cache.get<{ value: T }>(key);
      if (cached) return cached.value;
      const value = await load();
      await this.cache.set(key, { value }, ttlMs);
      return value;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  invalidate(key: string): Promise<void> {
    return this.cache.delete(key);
  }
}
