import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { CohereEmbeddingProvider, type EmbeddingProvider } from '#adapters';
import type { StoreView } from '#read-models';
import { CONFIG, type ConsoleConfig } from '#runtime';
import { QueryVectors } from './query-vectors.js';

/** Chunk vectors kept in process: a chunk reranked again costs no call while its text is unchanged. */
const MAX_CACHED_CHUNK_VECTORS = 20_000;
/** Query vectors kept in process (a 1,024-float vector is ~8 KB as a JS array: ~40 MB at most). */
const MAX_CACHED_QUERY_VECTORS = 5_000;
export const QUERY_VECTOR_TTL_MS = 60 * 60_000;

/** Who embeds for a store: Cohere when COHERE_API_KEY is set and the store's settings say `cohere`. */
@Injectable()
export class SearchEmbeddings {
  private readonly base: CohereEmbeddingProvider | null;
  private readonly chunkVectors = new LRUCache<string, number[]>({ max: MAX_CACHED_CHUNK_VECTORS });
  private readonly queryVectors = new QueryVectors({ max: MAX_CACHED_QUERY_VECTORS, ttlMs: QUERY_VECTOR_TTL_MS });

  constructor(@Inject(CONFIG) config: ConsoleConfig) {
    const cohere = config.cohere;
    this.base = cohere ? new CohereEmbeddingProvider({ apiKey: cohere.apiKey, apiUrl: cohere.apiUrl }) : null;
  }

  /** With the store's model and `embeddingDim`: an answer of another length is a provider error (full text is used). */
  forStore(store: Pick<StoreView, 'embeddingProvider' | 'embeddingModel' | 'embeddingDim'>): EmbeddingProvider | null {
    return this.base && store.embeddingProvider === 'cohere' ? this.base.withModel(store.embeddingModel, store.embeddingDim) : null;
  }

  /** The query's vector, from the cache where the same model embedded the same query text before. */
  queryVectorFor(provider: EmbeddingProvider, query: string): Promise<number[]> {
    return this.queryVectors.vectorFor(provider, query);
  }

  /** Document-side vectors, from the cache where the same model saw the same text before. */
  async chunkVectorsFor(provider: EmbeddingProvider, texts: readonly string[]): Promise<number[][]> {
    const keys = texts.map((text) => `${provider.model}\n${provider.dimensions}\n${createHash('sha256').update(text).digest('base64url')}`);
    // Read before any write: a write may evict, and `get` marks what this query uses as recent.
    const cached = keys.map((key) => this.chunkVectors.get(key));
    const missing = [...new Set(texts.filter((_, i) => cached[i] === undefined))];
    const fresh = new Map<string, number[]>();
    if (missing.length > 0) {
      const vectors = await provider.embed(missing, 'search_document');
      missing.forEach((text, i) => fresh.set(text, vectors[i]!));
    }
    return texts.map((text, i) => {
      const vector = cached[i] ?? fresh.get(text)!;
      if (cached[i] === undefined) this.chunkVectors.set(keys[i]!, vector);
      return vector;
    });
  }
}
