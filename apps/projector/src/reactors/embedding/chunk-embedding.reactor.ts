import type pg from 'pg';
import { Counter } from 'prom-client';
import { CohereEmbeddingProvider, EmbeddingProviderError, metricsRegistry, type Logger } from '#adapters';
import { ChunkEmbeddingQueries, checkoutClient, sqlOnPool, type CheckpointWaiter, type EmbeddedStore } from '#read-models';
import { ReactorLoop } from '../reactor-loop.js';

/** Chunks per store the vector leg searches (`SEMANTIC_CHUNK_LIMIT` in the api): no more are embedded. */
export const EMBEDDED_CHUNK_LIMIT = 20_000;
/** Texts per provider call (Cohere's limit). */
const EMBED_BATCH = 96;
const LOCK_KEY = 'embedding-reactor';
/** Notified with a store's id once all its chunks (up to the limit) have their vector. */
export const CHUNK_EMBEDDINGS_CHANNEL = 'console_chunk_embeddings';

export interface ChunkEmbeddingReactorOptions {
  readonly pool: pg.Pool;
  readonly checkpoints: CheckpointWaiter;
  readonly cohere: { readonly apiKey: string; readonly apiUrl?: string };
  readonly logger: Logger;
  /** A safety net under the documents projection's NOTIFY wake-ups. */
  readonly pollIntervalMs?: number;
  /** After a provider failure a store is tried again no sooner than this. */
  readonly retryDelayMs?: number;
  /**
   * Rounds start at most this often: during an ingestion the documents projection commits many
   * times a second, and each round reads the changed stores' chunk list.
   */
  readonly minRoundIntervalMs?: number;
}

export const chunksEmbedded = new Counter({
  name: 'console_chunks_embedded_total',
  help: 'Chunk texts embedded by the embedding reactor, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

const toBytes = (vector: readonly number[]) => Buffer.from(new Float32Array(vector).buffer);

/**
 * Embeds the chunks of every store whose settings say `cohere`, off the request path: when the
 * documents projection commits, each store whose documents moved has its chunks without a stored
 * vector (by model, dimensions and text hash) embedded, 96 to a call, and saved in
 * `chunk_embeddings`. A text already embedded by any store is not sent again, across replays and
 * restarts. One reactor works at a time (a session advisory lock), so two projector processes
 * never pay twice for one text; a store's fingerprint is remembered only once all its chunks have
 * a vector, so a failure or a crash leaves it to the next round.
 */
export class ChunkEmbeddingReactor {
  private readonly queries: ChunkEmbeddingQueries;
  private readonly provider: CohereEmbeddingProvider;
  private readonly done = new Map<string, string>();
  private readonly retryAfter = new Map<string, number>();
  private readonly loop: ReactorLoop;

  constructor(private readonly options: ChunkEmbeddingReactorOptions) {
    this.queries = new ChunkEmbeddingQueries(sqlOnPool(options.pool));
    this.provider = new CohereEmbeddingProvider({ apiKey: options.cohere.apiKey, apiUrl: options.cohere.apiUrl });
    this.loop = new ReactorLoop(
      {
        checkpoints: options.checkpoints,
        wakeOn: 'documents',
        pollIntervalMs: options.pollIntervalMs ?? 5000,
        minRoundIntervalMs: options.minRoundIntervalMs ?? 1000,
        onError: (error) => options.logger.warn({ err: error }, 'embedding reactor round failed; retrying'),
      },
      () => this.round(),
    );
  }

  async start(): Promise<void> {
    await this.loop.start();
  }

  /** A round in progress ends after its current provider call; what it saved stays. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async round(): Promise<void> {
    const stores = (await this.queries.embeddedStores('cohere')).filter(
      (s) => this.done.get(s.storeId) !== s.fingerprint && (this.retryAfter.get(s.storeId) ?? 0) <= Date.now(),
    );
    if (stores.length === 0) return;
    const client = await checkoutClient(this.options.pool);
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [LOCK_KEY]);
      if (!rows[0]!.locked) return; // another process embeds; this one tries again at its next wake-up
      try {
        for (const store of stores) {
          if (this.loop.signal.aborted) return;
          await this.embedStore(store);
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  private async embedStore(store: EmbeddedStore): Promise<void> {
    const provider = this.provider.withModel(store.model, store.dimensions);
    const { fingerprint, chunks } = await this.queries.chunksOf(store, EMBEDDED_CHUNK_LIMIT);
    const missing = [...new Map(chunks.filter((c) => c.vector === null).map((c) => [c.contentHash, c])).values()];
    try {
      for (let from = 0; from < missing.length && !this.loop.signal.aborted; from += EMBED_BATCH) {
        const batch = missing.slice(from, from + EMBED_BATCH);
        const texts = await this.queries.chunkTexts(store.storeId, batch);
        // A chunk removed since the read has no text: the next round sees the store's new chunks.
        const present = batch.filter((c) => texts.has(`${c.documentId}\n${c.chunkIndex}`));
        const vectors = await provider.embed(
          present.map((c) => texts.get(`${c.documentId}\n${c.chunkIndex}`)!),
          'search_document',
        );
        await this.queries.saveEmbeddings(
          store,
          present.map((c, i) => ({ contentHash: c.contentHash, vector: toBytes(vectors[i]!) })),
        );
        chunksEmbedded.inc({ outcome: 'embedded' }, present.length);
      }
      if (this.loop.signal.aborted) return;
      this.done.set(store.storeId, fingerprint);
      this.retryAfter.delete(store.storeId);
      await this.options.pool.query('SELECT pg_notify($1, $2)', [CHUNK_EMBEDDINGS_CHANNEL, store.storeId]);
    } catch (error) {
      if (!(error instanceof EmbeddingProviderError)) throw error;
      chunksEmbedded.inc({ outcome: 'failed' });
      this.retryAfter.set(store.storeId, Date.now() + (this.options.retryDelayMs ?? 30_000));
      this.options.logger.warn(
        { err: error, storeId: store.storeId, model: store.model, dimensions: store.dimensions },
        "embedding a store's chunks failed; its search uses full text for them until a later round succeeds",
      );
    }
  }
}
