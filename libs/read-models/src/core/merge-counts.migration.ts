import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first version: re-aggregates every key of both maps (see `MergeCountsByAddedKeys` for the current one). */
export const MERGE_COUNTS_BY_ALL_KEYS = `
      CREATE OR REPLACE FUNCTION read_model_merge_counts(a jsonb, b jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT COALESCE(jsonb_object_agg(key, total), '{}'::jsonb)
          FROM (SELECT key, sum(value::bigint) AS total
                  FROM (SELECT * FROM jsonb_each_text(COALESCE(a, '{}'::jsonb))
                        UNION ALL
                        SELECT * FROM jsonb_each_text(COALESCE(b, '{}'::jsonb))) entries
                 GROUP BY key) summed
      $$`;

/**
 * Adds two `{key: count}` jsonb maps key by key. Histograms are stored this way, so merging a batch
 * into a row, or rows into a window, is plain addition: exact under batching and replay.
 */
export class MergeCounts1764200000000 implements MigrationInterface {
  name = 'MergeCounts1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(MERGE_COUNTS_BY_ALL_KEYS);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP FUNCTION read_model_merge_counts(jsonb, jsonb)');
  }
}
