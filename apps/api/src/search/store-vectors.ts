import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CHECKPOINTS } from '#runtime';
import { ChunkEmbeddingQueries, type CheckpointWaiter, type StoreView } from '#read-models';

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
  /** The documents projection's commits seen (`StoreVectors.epoch`) when its read began. */
  readonly epoch: number;
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

/** Inserts `hit` into `hits` (best first; ties by document id) when it is among the `limit` best. */
export function keepBest(hits: VectorHit[], hit: VectorHit, limit: number): void {
  const before = (a: VectorHit, b: VectorHit) => a.score > b.score || (a.score === b.score && a.documentId < b.documentId);
  if (hits.length === limit && !before(hit, hits[limit - 1]!)) return;
  let at = hits.length;
  while (at > 0 && before(hit, hits[at - 1]!)) at--;
  hits.splice(at, 0, hit);
  if (hits.length > limit) hits.pop();
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
 * `chunk_embeddings`; a search never calls the provider for documents. A matrix is checked
 * against the store's documents version (one point read) after the documents
 * projection committed anything, and read again when they moved, or, while some chunks still lack
 * a vector, once a second. Between commits (no indexing anywhere) a search checks nothing.
 */
@Injectable()
export class StoreVectors implements OnModuleDestroy {
  private readonly matrices = new LRUCache<string, StoreMatrix>({
    maxSize: MAX_MATRIX_BYTES,
    sizeCalculation: (m) => Math.max(1, m.vectors.byteLength),
  });
  private readonly loading = new Map<string, Promise<StoreMatrix>>();
  /** Matrices found current since the documents projection's last commit (bumps `epoch`). */
  private readonly verified = new Set<string>();
  private epoch = 0;
  private unsubscribe: Promise<() => void> | null = null;

  constructor(
    private readonly chunks: ChunkEmbeddingQueries,
    @Inject(CHECKPOINTS) private readonly checkpoints: CheckpointWaiter,
  ) {}

  onModuleDestroy(): void {
    void this.unsubscribe?.then((stop) => stop()).catch(() => undefined);
  }

  /** Subscribed on first use, so an api nobody searches semantically holds no listener. */
  private watchDocuments(): void {
    this.unsubscribe ??= this.checkpoints.onAdvance('documents', () => {
      this.epoch++;
      this.verified.clear();
    });
    this.unsubscribe.catch(() => (this.unsubscribe = null));
  }

  /** The store's `limit` chunks nearest the query, at most one per document, nearest first. */
  async nearest(
    store: Pick<StoreView, 'id' | 'indexName' | 'embeddingModel' | 'embeddingDim'>,
    queryVector: readonly number[],
    limit: number,
  ): Promise<{ hits: VectorHit[]; coverage: VectorCoverage }> {
    const matrix = await this.matrixOf(store);
    const d = store.embeddingDim;
    const coverage = { index: store.indexName, chunks: matrix.chunks, embedded: matrix.documentIds.length };
    if (matrix.documentIds.length === 0 || limit < 1) return { hits: [], coverage };
    const query = new Float32Array(queryVector);
    normalise(query);
    const { vectors, documentIds, chunkIndexes } = matrix;
    // Rows are in document order, so a document's best chunk is a running maximum; the `limit`
    // best documents are kept in a short sorted list instead of sorting every document.
    const hits: VectorHit[] = [];
    let bestScore = -Infinity;
    let bestRow = 0;
    for (let row = 0, offset = 0; row < documentIds.length; row++, offset += d) {
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
      if (dot > bestScore) {
        bestScore = dot;
        bestRow = row;
      }
      if (row + 1 === documentIds.length || documentIds[row + 1] !== documentIds[row]) {
        keepBest(hits, { documentId: documentIds[bestRow]!, chunkIndex: chunkIndexes[bestRow]!, score: bestScore }, limit);
        bestScore = -Infinity;
      }
    }
    return { hits, coverage };
  }

  private async matrixOf(store: Pick<StoreView, 'id' | 'indexName' | 'embeddingModel' | 'embeddingDim'>): Promise<StoreMatrix> {
    this.watchDocuments();
    const key = `${store.indexName}\n${store.embeddingModel}\n${store.embeddingDim}`;
    const held = this.matrices.get(key);
    if (held) {
      const complete = held.documentIds.length === held.chunks;
      if (!complete && Date.now() - held.builtAt < INCOMPLETE_MATRIX_TTL_MS) return held;
      // Trusted without a check only while notifications arrive (a lost connection may hide a commit).
      if (complete && this.verified.has(key) && this.checkpoints.listening) return held;
      const epoch = this.epoch;
      if (complete && (await this.chunks.storeFingerprint(store.id)) === held.fingerprint) {
        // A commit during the check may have changed the store after it was read: checked again next time.
        if (epoch === this.epoch) this.verified.add(key);
        return held;
      }
    }
    let load = this.loading.get(key);
    if (!load) {
      load = this.load(store).finally(() => this.loading.delete(key));
      this.loading.set(key, load);
    }
    const matrix = await load;
    this.matrices.set(key, matrix);
    // Read before a commit that came since: not current for sure, so checked at the next search.
    if (matrix.documentIds.length === matrix.chunks && matrix.epoch === this.epoch) this.verified.add(key);
    else this.verified.delete(key);
    return matrix;
  }

  private async load(store: Pick<StoreView, 'id' | 'embeddingModel' | 'embeddingDim'>): Promise<StoreMatrix> {
    const d = store.embeddingDim;
    const epoch = this.epoch;
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
      epoch,
      builtAt: Date.now(),
      vectors,
      documentIds: kept.map((c) => c.documentId),
      chunkIndexes: Int32Array.from(kept.map((c) => c.chunkIndex)),
      chunks: chunks.length,
    };
  }
}
