import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { Sql } from '../core/sql.js';

/**
 * Chunk vectors by (model, dimensions, SHA-256 of the chunk text): a cache of the provider's
 * answers, not a projection, so a replay keeps it and two stores holding the same text embed it
 * once. Written by the projector's embedding reactor, read by the api's vector leg.
 */
export class ChunkEmbeddings1796600000000 implements MigrationInterface {
  name = 'ChunkEmbeddings1796600000000';

  async up(runner: QueryRunner): Promise<void> {
    // A chunk's key, stored on `document_chunks` as a generated column (which needs an immutable
    // expression; `convert_to` is only stable because of client encodings, irrelevant to 'UTF8').
    await runner.query(`
      CREATE OR REPLACE FUNCTION chunk_content_sha256_v1(content text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT encode(sha256(convert_to(content, 'UTF8')), 'hex') $$`);
    await runner.query(`CREATE TABLE IF NOT EXISTS chunk_embeddings (
      model text NOT NULL,
      dimensions integer NOT NULL,
      content_hash text NOT NULL,
      vector bytea NOT NULL,
      PRIMARY KEY (model, dimensions, content_hash))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS chunk_embeddings');
    await runner.query('DROP FUNCTION IF EXISTS chunk_content_sha256_v1(text)');
  }
}

/** A store whose chunks are embedded, and what its documents look like now. */
export interface EmbeddedStore {
  readonly storeId: string;
  readonly indexName: string;
  readonly model: string;
  readonly dimensions: number;
  /** Changes whenever one of the store's documents is indexed again, added or removed. */
  readonly fingerprint: string;
}

/** A chunk of a store with its vector under the store's model, when one is stored (float32, host order). */
export interface ChunkVectorState {
  readonly documentId: string;
  readonly chunkIndex: number;
  readonly contentHash: string;
  readonly vector: Buffer | null;
}

/**
 * The store's documents version (`store_document_versions`), which every indexed or removed batch
 * moves in the same transaction as its chunks: equal fingerprints mean equal chunk sets.
 */
const fingerprintOf = (storeId: string) => `coalesce((SELECT version::text FROM store_document_versions WHERE store_id = ${storeId}), '0')`;

/** The vector leg's reads and writes: which stores embed, their chunks' hashes and stored vectors. */
export class ChunkEmbeddingQueries {
  constructor(private readonly sql: Sql) {}

  /** Every store whose settings embed with `provider`, with its documents' fingerprint. */
  async embeddedStores(provider: string): Promise<EmbeddedStore[]> {
    const rows = await this.sql<{ id: string; index_name: string; embedding_model: string; embedding_dim: number; fingerprint: string }>(
      `SELECT s.id, s.index_name, s.embedding_model, s.embedding_dim, ${fingerprintOf('s.id')} AS fingerprint
         FROM stores s
        WHERE s.embedding_provider = $1
        ORDER BY s.id`,
      [provider],
    );
    return rows.map((r) => ({
      storeId: r.id,
      indexName: r.index_name,
      model: r.embedding_model,
      dimensions: r.embedding_dim,
      fingerprint: r.fingerprint,
    }));
  }

  async storeFingerprint(storeId: string): Promise<string> {
    const [row] = await this.sql<{ fingerprint: string }>(`SELECT ${fingerprintOf('$1')} AS fingerprint`, [storeId]);
    return row?.fingerprint ?? '';
  }

  /**
   * The store's first `limit` chunks (by document id, then index) with their stored vectors, and
   * the fingerprint they were read at (one statement: one snapshot).
   */
  async chunksOf(
    store: Pick<EmbeddedStore, 'storeId' | 'model' | 'dimensions'>,
    limit: number,
  ): Promise<{ fingerprint: string; chunks: ChunkVectorState[] }> {
    const rows = await this.sql<{
      document_id: string | null;
      chunk_index: number | null;
      content_hash: string | null;
      vector: Buffer | null;
      fingerprint: string;
    }>(
      `WITH fp AS (SELECT ${fingerprintOf('$1')} AS fingerprint),
            c AS (SELECT document_id, chunk_index, content_sha256 AS content_hash
                    FROM document_chunks WHERE store_id = $1 ORDER BY document_id, chunk_index LIMIT $4)
       SELECT c.document_id, c.chunk_index, c.content_hash, e.vector, fp.fingerprint
         FROM fp LEFT JOIN c ON true
         LEFT JOIN chunk_embeddings e ON e.model = $2 AND e.dimensions = $3 AND e.content_hash = c.content_hash
        ORDER BY c.document_id, c.chunk_index`,
      [store.storeId, store.model, store.dimensions, limit],
    );
    return {
      fingerprint: rows[0]?.fingerprint ?? '',
      chunks: rows
        .filter((r) => r.document_id !== null)
        .map((r) => ({ documentId: r.document_id!, chunkIndex: r.chunk_index!, contentHash: r.content_hash!, vector: r.vector })),
    };
  }

  /** How many of the store's first `limit` chunks have no stored vector under its model and dimensions. */
  async chunksWithoutVector(storeId: string, limit: number): Promise<number> {
    const [row] = await this.sql<{ n: number }>(
      `SELECT count(*)::int AS n
         FROM (SELECT content_sha256 FROM document_chunks WHERE store_id = $1 ORDER BY document_id, chunk_index LIMIT $2) c
         CROSS JOIN (SELECT embedding_model, embedding_dim FROM stores WHERE id = $1) s
         LEFT JOIN chunk_embeddings e ON e.model = s.embedding_model AND e.dimensions = s.embedding_dim
                                     AND e.content_hash = c.content_sha256
        WHERE e.vector IS NULL`,
      [storeId, limit],
    );
    return row?.n ?? 0;
  }

  /** The texts of some chunks of a store, keyed `documentId\nchunkIndex`; a chunk gone since is absent. */
  async chunkTexts(storeId: string, chunks: readonly { documentId: string; chunkIndex: number }[]): Promise<Map<string, string>> {
    const rows = await this.sql<{ document_id: string; chunk_index: number; content: string }>(
      `SELECT c.document_id, c.chunk_index, c.content
         FROM unnest($2::text[], $3::int[]) AS k(document_id, chunk_index)
         JOIN document_chunks c ON c.document_id = k.document_id AND c.chunk_index = k.chunk_index
        WHERE c.store_id = $1`,
      [storeId, chunks.map((c) => c.documentId), chunks.map((c) => c.chunkIndex)],
    );
    return new Map(rows.map((r) => [`${r.document_id}\n${r.chunk_index}`, r.content]));
  }

  async saveEmbeddings(
    store: Pick<EmbeddedStore, 'model' | 'dimensions'>,
    embeddings: readonly { contentHash: string; vector: Buffer }[],
  ): Promise<void> {
    if (embeddings.length === 0) return;
    await this.sql(
      `INSERT INTO chunk_embeddings (model, dimensions, content_hash, vector)
       SELECT $1, $2, h, v FROM unnest($3::text[], $4::bytea[]) AS e(h, v)
       ON CONFLICT DO NOTHING`,
      [store.model, store.dimensions, embeddings.map((e) => e.contentHash), embeddings.map((e) => e.vector)],
    );
  }
}
