import pg from 'pg';
import { DEFAULT_STORE_SETTINGS, ingestionDecider, ingestionStreamId, storeDecider, storeIdFor, storeStreamId, type IndexedDocument } from '#domain';
import { PostgresEventStore, handleCommand } from '#event-store';
import { createLogger } from '#integrations';
import { DocumentQueries, createReadModelDataSource, documentsProjection, ensureProjection, inTransaction, migrateReadModels, storesProjection } from '#read-models';
import { ProjectionRunner } from '../apps/projector/src/projection-runner.js';
import { benchDatabase, fmt, measure, percentile } from './support.js';

export interface SearchBenchOptions {
  /** Documents in the store (3–5 chunks of the default 512-token chunking each). */
  readonly documents?: number;
  /** Timed queries per measurement. */
  readonly queries?: number;
  readonly log?: (line: string) => void;
  /** Leave the database in place (its URL is logged), e.g. to EXPLAIN a query afterwards. */
  readonly keepDatabase?: boolean;
}

export interface SearchBenchResults {
  readonly documents: number;
  readonly chunks: number;
  readonly seedSeconds: number;
  readonly projectSeconds: number;
  readonly measurements: { readonly name: string; readonly queries: number; readonly p50Ms: number; readonly p99Ms: number; readonly meanResults: number }[];
}

/**
 * Full-text search latency over one store of realistic size: documents are prose drawn from a
 * Zipf-distributed vocabulary (common words are common, most words are rare), indexed through the
 * command path and projected by the projection runner, then searched with 1–3 word queries.
 */
export async function benchSearch(options: SearchBenchOptions = {}): Promise<SearchBenchResults> {
  const documentCount = options.documents ?? 10_000;
  const queryCount = options.queries ?? 200;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const database = await benchDatabase();
  const store = new PostgresEventStore({ connectionString: database.url });
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  try {
    await store.ensureSchema();
    const dataSource = createReadModelDataSource(database.url, { poolSize: 2 });
    await dataSource.initialize();
    await migrateReadModels(dataSource);
    await dataSource.destroy();
    for (const definition of [storesProjection, documentsProjection]) await inTransaction(pool, (client) => ensureProjection(client, definition));

    const random = mulberry32(42);
    const vocabulary = buildVocabulary(random);
    const sampleWord = zipfSampler(vocabulary, random);
    const storeId = storeIdFor('ws_bench', 'docs');
    await handleCommand(
      store,
      storeStreamId(storeId),
      storeDecider,
      { type: 'EnsureStore', data: { organizationId: 'org_bench', workspaceId: 'ws_bench', slug: 'docs', settings: DEFAULT_STORE_SETTINGS, at: '2026-11-01T00:00:00.000Z' } },
      { commandId: 'bench-store' },
    );
    const seedStarted = Date.now();
    const step = DEFAULT_STORE_SETTINGS.chunkMaxTokens - DEFAULT_STORE_SETTINGS.chunkOverlap;
    const perBatch = 50;
    for (let batch = 0; batch * perBatch < documentCount; batch++) {
      const documents: IndexedDocument[] = [];
      for (let i = batch * perBatch; i < Math.min(documentCount, (batch + 1) * perBatch); i++) {
        const chunks = 3 + Math.floor(random() * 3);
        const content = prose((chunks - 1) * step + DEFAULT_STORE_SETTINGS.chunkOverlap + 1 + Math.floor(random() * (step - DEFAULT_STORE_SETTINGS.chunkOverlap - 1)), sampleWord, random);
        documents.push({ documentId: `doc_${i}`, path: `docs/page-${i}.md`, title: `${sampleWord()} ${sampleWord()}`, description: null, frontmatter: {}, content, contentHash: `h${i}`, blobSha: `b${i}`, previousChunkCount: 0, isNew: true });
      }
      // A job per batch: every batch appended to one job's stream re-reads the documents of all
      // the batches before it (the decider folds the stream), which makes seeding quadratic.
      const jobId = `bench-job-${batch}`;
      const ref = { storeId, organizationId: 'org_bench', workspaceId: 'ws_bench', repositoryId: null, githubRepoId: '1', repoFullName: 'bench/docs', jobId, batch: 0, commitSha: 'c0', at: '2026-11-01T00:00:00.000Z' };
      await handleCommand(
        store,
        ingestionStreamId(jobId),
        ingestionDecider,
        { type: 'RecordDocumentBatch', data: { indexed: { ...ref, chunking: { chunkMaxTokens: DEFAULT_STORE_SETTINGS.chunkMaxTokens, chunkOverlap: DEFAULT_STORE_SETTINGS.chunkOverlap }, documents }, removed: null } },
        { commandId: `bench-batch-${batch}` },
      );
    }
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const projectStarted = Date.now();
    const logger = createLogger('search.bench', 'warn');
    for (const definition of [documentsProjection, storesProjection]) {
      const runner = new ProjectionRunner({ store, pool, definition, logger, mode: 'replay', stopWhenCaughtUp: true, maxBatchSize: 20 });
      try {
        await runner.start().done;
      } finally {
        await runner.stop();
      }
    }
    await pool.query('ANALYZE');
    const projectSeconds = (Date.now() - projectStarted) / 1000;
    const chunks = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM document_chunks')).rows[0]!.n);
    log(`  ${documentCount} documents, ${chunks} chunks: seeded in ${fmt(seedSeconds, 1)} s, projected in ${fmt(projectSeconds, 1)} s`);

    const queries = new DocumentQueries((text, params) => pool.query(text, params as unknown[]).then((r) => r.rows));
    // Queries of 1–3 words drawn from the same distribution as the prose: mostly common words.
    const texts = Array.from({ length: queryCount }, () => Array.from({ length: 1 + Math.floor(random() * 3) }, sampleWord).join(' '));
    const measurements: SearchBenchResults['measurements'][number][] = [];
    for (const variant of [
      { name: 'topK 10', includeHighlights: false },
      { name: 'topK 10 + highlights', includeHighlights: true },
      { name: 'topK 10 + highlights, candidateLimit 2000', includeHighlights: true, candidateLimit: 2000 },
    ]) {
      let next = 0;
      let results = 0;
      const samples = await measure(queryCount, async () => {
        const query = texts[next++ % texts.length]!;
        results += (await queries.search({ storeId, query, topK: 10, includeHighlights: variant.includeHighlights, candidateLimit: variant.candidateLimit })).results.length;
      });
      const measurement = { name: variant.name, queries: samples.length, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), meanResults: results / (samples.length + Math.min(20, queryCount)) };
      measurements.push(measurement);
      log(`  ${variant.name}: p50 ${fmt(measurement.p50Ms)} ms, p99 ${fmt(measurement.p99Ms)} ms over ${samples.length} queries (${fmt(measurement.meanResults, 1)} results on average)`);
    }
    return { documents: documentCount, chunks, seedSeconds, projectSeconds, measurements };
  } finally {
    await pool.end();
    await store.close();
    if (options.keepDatabase) log(`  database kept: ${database.url}`);
    else await database.drop();
  }
}

const COMMON = (
  'the of and to a in is that for it as with on be by this are from or an at which can not have you your all will one more when ' +
  'use data file service request server client user config build deploy release version update change error test value type function ' +
  'api key token store document search index query result page repository branch commit webhook event job queue worker cache database ' +
  'table column row schema migration network latency memory process thread container cluster node pod image volume secret policy role ' +
  'access permission team project workspace setting option default guide example step install run start stop restart log metric alert ' +
  'trace span dashboard report chart time hour day week month plan limit quota billing invoice payment customer account email message'
).split(' ');

/** Real words first (the frequent ones), then generated rare ones: a long tail, as in documentation. */
function buildVocabulary(random: () => number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ter', 'an', 'vel', 'dor', 'sil', 'pra', 'nu', 'quo', 'ren', 'tis', 'bar', 'eon', 'fyl', 'gar', 'hex', 'jun', 'wex'];
  const rare = new Set<string>();
  while (rare.size < 20_000) rare.add(Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(''));
  return [...COMMON, ...rare];
}

function zipfSampler(words: readonly string[], random: () => number): () => string {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < words.length; i++) cumulative.push((total += 1 / (i + 1)));
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
}

function prose(tokens: number, sampleWord: () => string, random: () => number): string {
  const words: string[] = [];
  for (let i = 0; i < tokens; i++) words.push(random() < 0.07 ? `${sampleWord()}.` : sampleWord());
  return words.join(' ');
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
