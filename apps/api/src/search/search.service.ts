import { LOGGER } from '#runtime';
import type { Logger } from '#adapters';
import { Inject, Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Counter } from 'prom-client';
import { EmbeddingProviderError, InProcessCache, SingleFlightCache, metricsRegistry, type EmbeddingProvider } from '#adapters';
import type { SearchResult, StoreView } from '#read-models';
import { DocumentQueries, fuseByReciprocalRank } from '#read-models';
import { rerank } from './rerank.js';
import { SearchEmbeddings } from './search-embeddings.js';
import { StoreVectors, type VectorCoverage } from './store-vectors.js';

/** How long an identical query is answered from the cache: documents indexed since show up after at most this. */
export const QUERY_CACHE_TTL_MS = 30_000;
const MAX_CACHED_QUERIES = 1_000;
/** Full-text candidates the reranker chooses from: max(3 × topK, 30). */
export const rerankCandidates = (topK: number) => Math.max(3 * topK, 30);

export interface SearchHit {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly snippet: string;
  readonly score: number;
  readonly metadata: Record<string, unknown>;
  readonly highlights?: string[];
}

export interface RankedResults {
  readonly results: SearchHit[];
  /**
   * Which legs ran: `fulltext`, full-text rank only; `hybrid`, full-text candidates reranked by
   * embeddings; `fulltext+semantic`, full-text and vector candidates fused by reciprocal rank.
   */
  readonly ranking: 'fulltext' | 'hybrid' | 'fulltext+semantic';
  readonly latency: {
    readonly retrieval: number;
    readonly embedding?: number;
    readonly rerank?: number;
    readonly semantic?: number;
  };
  /** Embeddings were configured but failed: full-text order was used, and the answer is not cached. */
  readonly degraded: boolean;
  /** With the vector leg: the store's index and how many of its chunks have their vector yet. */
  readonly semantic?: VectorCoverage;
}

export interface SearchRequest {
  readonly query: string;
  readonly topK: number;
  readonly includeHighlights: boolean;
  /** Add the vector leg (needs an embedding provider for the store; otherwise full text only). */
  readonly semantic?: boolean;
}

export const searchQueries = new Counter({
  name: 'search_queries_total',
  help: 'Search requests by ranking and query-cache outcome',
  labelNames: ['ranking', 'cache'] as const,
  registers: [metricsRegistry],
});

const ms = (from: number) => Math.round((performance.now() - from) * 10) / 10;

/**
 * Full-text retrieval from the `documents` read model, reranked with embeddings when the store
 * embeds with Cohere and a key is configured. Identical queries within `QUERY_CACHE_TTL_MS` are
 * answered from an in-process cache (single-flight: concurrent identical queries run once).
 */
@Injectable()
export class SearchService {
  private readonly cache = new SingleFlightCache(new InProcessCache(MAX_CACHED_QUERIES));

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly documents: DocumentQueries,
    private readonly embeddings: SearchEmbeddings,
    private readonly vectors: StoreVectors,
  ) {}

  /** `fresh` (a read naming `minPosition`): not answered from the cache, which may predate the write. */
  async search(
    store: StoreView,
    request: SearchRequest,
    options: { fresh: boolean },
  ): Promise<RankedResults & { cache: 'hit' | 'miss' | 'bypass' }> {
    if (options.fresh) {
      const ranked = await this.rank(store, request);
      searchQueries.inc({ ranking: ranked.ranking, cache: 'bypass' });
      return { ...ranked, cache: 'bypass' };
    }
    const key = JSON.stringify([store.id, request.topK, request.includeHighlights, request.semantic === true, request.query]);
    let loaded = false;
    // A caller that joins a load already running for the key, or finds its result, is a hit.
    const ranked = await this.cache.getOrLoad(key, QUERY_CACHE_TTL_MS, () => {
      loaded = true;
      return this.rank(store, request);
    });
    if (ranked.degraded) await this.cache.invalidate(key);
    searchQueries.inc({ ranking: ranked.ranking, cache: loaded ? 'miss' : 'hit' });
    return { ...ranked, cache: loaded ? 'miss' : 'hit' };
  }

  private async rank(store: StoreView, request: SearchRequest): Promise<RankedResults> {
    const provider = this.embeddings.forStore(store);
    const started = performance.now();
    const { results } = await this.documents.search({
      storeId: store.id,
      query: request.query,
      topK: provider ? rerankCandidates(request.topK) : request.topK,
      includeHighlights: request.includeHighlights,
    });
    const retrieval = ms(started);
    const fullText = (): RankedResults => ({
      results: results.slice(0, request.topK).map((r) => toHit(r, r.score, request.includeHighlights)),
      ranking: 'fulltext',
      latency: { retrieval },
      degraded: false,
    });
    if (!provider || (results.length === 0 && !request.semantic)) return fullText();
    try {
      if (request.semantic) return await this.fuse(provider, store, results, request, retrieval);
      return await this.rerank(provider, results, request, retrieval);
    } catch (error) {
      if (!(error instanceof EmbeddingProviderError)) throw error;
      this.logger.warn(
        { err: error, storeId: store.id, model: provider.model },
        'embedding failed: search falls back to full-text ranking',
      );
      return { ...fullText(), degraded: true };
    }
  }

  private async rerank(
    provider: EmbeddingProvider,
    candidates: SearchResult[],
    request: SearchRequest,
    retrieval: number,
  ): Promise<RankedResults> {
    const embeddingStarted = performance.now();
    const [queryVector, chunkVectors] = await Promise.all([
      this.embeddings.queryVectorFor(provider, request.query),
      this.embeddings.chunkVectorsFor(
        provider,
        candidates.map((c) => c.chunkText),
      ),
    ]);
    const embedding = ms(embeddingStarted);
    const rerankStarted = performance.now();
    const ranked = rerank(candidates, queryVector, chunkVectors).slice(0, request.topK);
    const results = ranked.map(({ candidate, score }) => toHit(candidate, score, request.includeHighlights));
    return { results, ranking: 'hybrid', latency: { retrieval, embedding, rerank: ms(rerankStarted) }, degraded: false };
  }

  /**
   * Hybrid retrieval: the full-text candidates and the store's nearest chunks by cosine
   * (`StoreVectors`, an exact scan), as many of each, fused by reciprocal rank. A document that
   * shares no word with the query is found by the vector leg alone. Scores are the fused ones.
   */
  private async fuse(
    provider: EmbeddingProvider,
    store: StoreView,
    fullText: SearchResult[],
    request: SearchRequest,
    retrieval: number,
  ): Promise<RankedResults> {
    const embeddingStarted = performance.now();
    const queryVector = await this.embeddings.queryVectorFor(provider, request.query);
    const embedding = ms(embeddingStarted);
    const semanticStarted = performance.now();
    const { hits: nearest, coverage } = await this.vectors.nearest(store, queryVector, rerankCandidates(request.topK));
    const semantic = ms(semanticStarted);
    const fused = fuseByReciprocalRank([fullText.map((r) => r.documentId), nearest.map((h) => h.documentId)]).slice(0, request.topK);
    const byId = new Map(fullText.map((r) => [r.documentId, r]));
    const onlySemantic = nearest.filter((h) => !byId.has(h.documentId) && fused.some((f) => f.id === h.documentId));
    for (const row of await this.documents.resultsFor(
      { storeId: store.id, query: request.query, includeHighlights: request.includeHighlights },
      onlySemantic,
    ))
      byId.set(row.documentId, row);
    // A document removed between the two legs' reads has no row: it is left out.
    const results = fused.flatMap(({ id, score }) => {
      const row = byId.get(id);
      return row ? [toHit(row, score, request.includeHighlights)] : [];
    });
    return { results, ranking: 'fulltext+semantic', latency: { retrieval, embedding, semantic }, degraded: false, semantic: coverage };
  }
}

function toHit(result: SearchResult, score: number, includeHighlights: boolean): SearchHit {
  return {
    id: result.documentId,
    title: result.title,
    url: result.url,
    snippet: result.snippet,
    score,
    metadata: { ...result.metadata, path: result.path, chunkIndex: result.chunkIndex },
    ...(includeHighlights ? { highlights: result.highlights ?? [] } : {}),
  };
}
