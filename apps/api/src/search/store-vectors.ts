import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ChunkEmbeddingQueries, type StoreView } from '#read-models';

/**
 * Chunks of one store the vector leg searches, at most (the embedding reactor embeds no more).
 * Beyond it the store's later chunks (by document id) are found by full text only: the matrix of
 * 20,000 chunks of a 1,024-dimension model is 80 MB, and an exact scan of it about 20 ms on one core.
 */
export const SEMANTIC_CHUNK_LIMIT = 20_000;
/** Bytes of store matrices kept in process (least recently searched dropped first). */
const MAX_MATRIX_BYTES = 256 * 1024 * 1024;
/** A matrix missing vectors (the reactor was still embedding) is read again after this. */
const INCOMPLETE_MATRIX_TTL_MS = 1000;

/** A store's index: its chunk vectors under its model and dimensions, L2-normalised, one row per chunk. */
interface StoreMatrix {
  readonly fingerprint: string;
  readonly builtAt: number;
  readonly vectors: Float32Array;
  readonly documentIds: string[];
  readonly chunkIndexes: Int32Array;
  /** The store's chunks the leg covers (up to the limit), embedded or not. */
  readonly chunks: number;
}

export interface VectorHit {
  readonly documentId: string;
  readonly chunkIndex: number;
  readonly score: number;
}

/** How much of the store the vector leg searched: `embedded` of `chunks` (the rest awaits the reactor). */
export interface VectorCoverage {
  readonly index: string;
  readonly chunks: number;
  readonly embedded: number;
}

function normalise(vector: Float32Array): void {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
}

/**
 * The vector leg: an exact cosine scan of a store's chunk vectors, held in process as one
 * Float32Array per store index (`indexName`, under the store's model and `embeddingDim`). The
 * vectors are computed off the request path by the projector's embedding reactor and read from
 * `chunk_embeddings`; a search never calls the provider for documents. A matrix is checked at
 * each search against the store's documents (one aggregate over the store's document rows) and
 * read again when they moved, or, while some chunks still lack a vector, once a second.
 */
@Injectable()
export class StoreVectors {
  private readonly matrices = new LRUCache<string, StoreMatrix>({
    maxSize: MAX_MATRIX_BYTES,
    sizeCalculation: (m) => Math.max(1, m.vectors.byteLength),
  });
  private readonly loading = new Map<string, Promise<StoreMatrix>>();

  constructor(private readonly chunks: ChunkEmbeddingQueries) {}

  /** The store's `limit` chunks nearest the query, at most one per document, nearest first. */
  async nearest(
    store: Pick<StoreView, 'id' | 'indexName' | 'embeddingModel' | 'embeddingDim'>,
    queryVector: readonly number[],
    limit: number,
  ): Promise<{ hits: VectorHit[]; coverage: VectorCoverage }> {
    const matrix = await this.matrixOf(store);
    const d = store.embeddingDim;
    const coverage = { index: store.indexName, chunks: matrix.chunks, embedded: matrix.documentIds.length };
    if (matrix.documentIds.length === 0) return { hits: [], coverage };
    const query = new Float32Array(queryVector);
    normalise(query);
    const best = new Map<string, VectorHit>();
    const { vectors } = matrix;
    for (let row = 0, offset = 0; row < matrix.documentIds.length; row++, offset += d) {
      // Four running sums: every length a store may have is a multiple of 4, and independent
      // sums let V8 overlap the multiplications (about 1.3× on this scan).
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let i = 0; i < d; i += 4) {
        d0 += query[i]! * vectors[offset + i]!;
        d1 += query[i + 1]! * vectors[offset + i + 1]!;
        d2 += query[i + 2]! * vectors[offset + i + 2]!;
        d3 += query[i + 3]! * vectors[offset + i + 3]!;
      }
      const dot = d0 + d1 + d2 + d3;
      const documentId = matrix.documentIds[row]!;
      const held = best.get(documentId);
      if (!held || dot > held.score) best.set(documentId, { documentId, chunkIndex: matrix.chunkIndexes[row]!, score: dot });
    }
    const hits = [...best.values()].sort((a, b) => b.score - a.score || (a.documentId < b.documentId ? -1 : 1)).slice(0, limit);
    return { hits, coverage };
  }

  private async matrixOf(store: Pick<StoreView, 'id' | 'indexName' | 'embeddingModel' | 'embeddingDim'>): Promise<StoreMatrix> {
    const key = `${store.indexName}\n${store.embeddingModel}\n${store.embeddingDim}`;
    const held = this.matrices.get(key);
    if (held) {
      const complete = held.documentIds.length === held.chunks;
      if (!complete && Date.now() - held.builtAt < INCOMPLETE_MATRIX_TTL_MS) return held;
      if (complete && (await this.chunks.storeFingerprint(store.id)) === held.fingerprint) return held;
    }
    let load = this.loading.get(key);
    if (!load) {
      load = this.load(store).finally(() => this.loading.delete(key));
      this.loading.set(key, load);
    }
    const matrix = await load;
    this.matrices.set(key, matrix);
    return matrix;
  }

  private async load(store: Pick<StoreView, 'id' | 'embeddingModel' | 'embeddingDim'>): Promise<StoreMatrix> {
    const d = store.embeddingDim;
    const { fingerprint, chunks } = await this.chunks.chunksOf(
      { storeId: store.id, model: store.embeddingModel, dimensions: d },
      SEMANTIC_CHUNK_LIMIT,
    );
    // The reactor stores only vectors of the store's dimensions; a chunk without one is left out.
    const kept = chunks.filter((c) => c.vector !== null && c.vector.byteLength === d * 4);
    const vectors = new Float32Array(kept.length * d);
    kept.forEach((chunk, row) => {
      const bytes = chunk.vector!;
      const vector = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      normalise(vector);
      vectors.set(vector, row * d);
    });
    return {
      fingerprint,
      builtAt: Date.now(),
      vectors,
      documentIds: kept.map((c) => c.documentId),
      chunkIndexes: Int32Array.from(kept.map((c) => c.chunkIndex)),
      chunks: chunks.length,
    };
  }
}
