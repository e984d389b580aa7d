import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a lexeme's weight in a chunk starts each salience band, in `ts_rank_cd`'s units (a body
 * occurrence, weight B, counts 0.4; a title occurrence, weight A, 1.0): band 1 is two body
 * occurrences or one in the title, then ×1.33–1.5 steps up to 128 body occurrences.
 */
export const SALIENCE_BAND_FLOORS = [0.8, 1.2, 1.6, 2.4, 3.2, 4.8, 6.4, 9.6, 12.8, 19.2, 25.6, 38.4, 51.2] as const;
export const SALIENCE_BANDS = SALIENCE_BAND_FLOORS.length;

/**
 * Salience bands, for search without a long tail. A common word matches most chunks, and ranking
 * every match means reading every match's vector. So each chunk's vector also carries, for each
 * lexeme that weighs at least band 1 in it, one position-less token `<lexeme> <band>` (a space
 * never occurs in a parsed lexeme, so a token never matches a query word and `ts_rank_cd` never
 * sees one). The GIN index then answers "chunks where a query word weighs in band k" cheaply, and
 * the search ranks chunks band by band, heaviest first, up to a cap: for a single word (and for
 * `or`), a chunk's `ts_rank_cd` is exactly the weighted count of the word's occurrences, so the
 * bands are rank order. Versioned names: a changed function is a new column expression, hence a
 * new schema hash and a rebuilt generation, never stale tokens.
 */
export class SearchBands1796400000000 implements MigrationInterface {
  name = 'SearchBands1796400000000';

  async up(runner: QueryRunner): Promise<void> {
    // Weights are A (title) or B (body) only, as the documents table writes them.
    await runner.query(`
      CREATE OR REPLACE FUNCTION search_salience_bands_v1(v tsvector) RETURNS text[]
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(u.lexeme || ' ' || width_bucket(
                   cardinality(u.weights) * 0.4 + cardinality(array_positions(u.weights, 'A')) * 0.6,
                   '{${SALIENCE_BAND_FLOORS.join(',')}}'::float8[])), '{}')
          FROM unnest(v) u
         WHERE cardinality(u.positions) >= 2 OR 'A' = ANY (u.weights)
      $$`);
    // The documents table's generated vector: title (A) and body (B), parsed once, plus the bands.
    await runner.query(`
      CREATE OR REPLACE FUNCTION search_document_vector_v1(title text, content text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT v || array_to_tsvector(search_salience_bands_v1(v))
          FROM (SELECT setweight(to_tsvector('english'::regconfig, title), 'A')
                       || setweight(to_tsvector('english'::regconfig, content), 'B') AS v) parsed
      $$`);
    // The chunks of one band for a query: some query lexeme in that band and none in a higher
    // one; band 0 is every chunk where no query lexeme reaches band 1. Bands 0..N partition the
    // matches, so ranking them all is the exact ranking. Lexemes are quoted for tsquery input
    // (a quote doubled, a backslash escaped). Null for a query without lexemes.
    await runner.query(`
      CREATE OR REPLACE FUNCTION search_band_query_v1(query text, band integer) RETURNS tsquery
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT (CASE WHEN band >= ${SALIENCE_BANDS} THEN string_agg(token, ' | ') FILTER (WHERE b = band)
                     WHEN band > 0 THEN '(' || string_agg(token, ' | ') FILTER (WHERE b = band) || ') & !('
                                       || string_agg(token, ' | ') FILTER (WHERE b > band) || ')'
                     ELSE '!(' || string_agg(token, ' | ') || ')' END)::tsquery
          FROM (SELECT b, '''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || ' ' || b || '''' AS token
                  FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, query))) lexeme,
                       generate_series(1, ${SALIENCE_BANDS}) b) tokens
      $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP FUNCTION search_band_query_v1(text, integer)');
    await runner.query('DROP FUNCTION search_document_vector_v1(text, text)');
    await runner.query('DROP FUNCTION search_salience_bands_v1(tsvector)');
  }
}
