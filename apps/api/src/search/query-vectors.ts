import { LRUCache, type Perf } from 'lru-cache';
import type { EmbeddingProvider } from '#adapters';

export interface QueryVectorsOptions {
  readonly max: number;
  readonly ttlMs: number;
  /** The clock the TTL is measured on (tests move it by hand). */
  readonly perf?: Perf;
}

/**
 * Query-side vectors by (model, dimensions, query text): a query searched again, in any store embedding with
 * the same model, costs no call. The model is part of the key because vectors of two models live
 * in different spaces: sharing one across models would rank with a meaningless cosine. Concurrent
 * misses of one key share a call; a failed call is not kept, so the next search asks again. The
 * TTL bounds how long a provider-side change of a model's weights (same name) could go unseen.
 */
export class QueryVectors {
  private readonly vectors: LRUCache<string, Promise<number[]>>;

  constructor(options: QueryVectorsOptions) {
    this.vectors = new LRUCache<string, Promise<number[]>>({
      max: options.max,
      ttl: options.ttlMs,
      // A clock of its own is read at every lookup (the default caches `now` for a millisecond).
      ...(options.perf ? { perf: options.perf, ttlResolution: 0 } : {}),
    });
  }

  vectorFor(provider: EmbeddingProvider, query: string): Promise<number[]> {
    const key = JSON.stringify([provider.model, provider.dimensions, query]);
    const cached = this.vectors.get(key);
    if (cached) return cached;
    const loading = provider.embed([query], 'search_query').then(([vector]) => vector!);
    this.vectors.set(key, loading);
    loading.catch(() => {
      if (this.vectors.peek(key) === loading) this.vectors.delete(key);
    });
    return loading;
  }

  /** Vectors held now (for tests). */
  get size(): number {
    return this.vectors.size;
  }
}
