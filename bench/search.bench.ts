import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DEFAULT_STORE_SETTINGS, ingestionDecider, ingestionStreamId, storeIdFor, type IndexedDocument } from '#domain';
import { handleCommand } from '#event-store';
import { LocalIdentityProvider, TokenCipher, createLogger } from '#adapters';
import { ChunkEmbeddingQueries, DocumentQueries, PROJECTIONS, sqlOnPool } from '#read-models';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { loadConfig } from '#runtime';
import { openRuntime } from '#runtime';
import { ProjectorDaemon } from '../apps/projector/src/projector.daemon.js';
import { startFakeCohere, type FakeCohere } from '#testing';
import { ChunkEmbeddingReactor, EMBEDDED_CHUNK_LIMIT } from '../apps/projector/src/reactors/embedding/chunk-embedding.reactor.js';
import { benchDatabase, fmt, measure, percentile } from './support.js';

export interface SearchBenchOptions {
  /** Documents in the store (3–5 chunks of the default 512-token chunking each). */
  readonly documents?: number;
  /** Timed queries per measurement. */
  readonly queries?: number;
  readonly log?: (line: string) => void;
  /** Leave the database in place (its URL is logged), e.g. to EXPLAIN a query afterwards. */
  readonly keepDatabase?: boolean;
  /**
   * Also time `semantic: true` searches (vector leg + reciprocal rank fusion) against a fake Cohere
   * on loopback (1,024 dimensions), the chunks embedded first by the embedding reactor. The store then embeds with Cohere, so the plain HTTP lines rerank
   * full-text candidates too: compare them with a run without it.
   */
  readonly semantic?: boolean;
}

export interface SearchBenchResults {
  readonly documents: number;
  readonly chunks: number;
  readonly seedSeconds: number;
  readonly projectSeconds: number;
  readonly measurements: {
    readonly name: string;
    readonly queries: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly meanResults: number;
  }[];
  /** Share of the exact top 10 (every match ranked) that the default search keeps. */
  readonly exactTop10Agreement?: number;
  readonly notes?: string[];
}

/**
 * Full-text search latency over one store of realistic size: documents are prose drawn from a
 * Zipf-distributed vocabulary (common words are common, most words are rare), indexed through the
 * command path and projected by the projector daemon, then searched with 1–3 word queries: with
 * the query service on a pool, then as `POST /v1/search` over HTTP (API key + X-Workspace-ID)
 * against the api, uncached (`?minPosition=` bypasses the query cache) and from the query cache.
 */
export async function benchSearch(options: SearchBenchOptions = {}): Promise<SearchBenchResults> {
  const documentCount = options.documents ?? 10_000;
  const queryCount = options.queries ?? 200;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const database = await benchDatabase();
  const cohere: FakeCohere | null = options.semantic ? await startFakeCohere() : null;
  // Latency, not the per-key limit: 600+ searches a minute from one key would be refused.
  const env: Record<string, string> = { RATE_LIMIT_SEARCH: 'off' };
  if (cohere) Object.assign(env, { COHERE_API_KEY: cohere.apiKey, COHERE_API_URL: cohere.url });
  const runtime = await openRuntime(loadConfig(env), {
    databaseUrl: database.url,
    identity: await LocalIdentityProvider.ephemeral(),
    logger: createLogger('search.bench', 'warn'),
    cipher: new TokenCipher(randomBytes(32)),
  });
  const { store, projectorPool: pool } = runtime;
  const startDaemon = async () => {
    const started = new ProjectorDaemon({ store, pool, connectionString: runtime.databaseUrl, logger: runtime.logger });
    await started.start();
    return started;
  };
  const caughtUp = async () => {
    const head = await store.headPosition();
    for (const projection of PROJECTIONS) await runtime.checkpoints.waitFor(projection.name, head, 600_000);
  };
  let daemon: ProjectorDaemon | null = await startDaemon();
  let app: INestApplication | null = null;
  try {
    app = await createApiApp(runtime);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const http = async (method: string, path: string, authorization: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { authorization: `Bearer ${authorization}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const parsed = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
      return parsed;
    };
    // An organization, its `docs` workspace and store, and an API key, as a user sets them up.
    const token = await runtime.identity.mint({ userId: 'user_search_bench', organizationSlug: 'bench-search', role: 'admin' });
    const organization = await http('POST', '/v1/orgs', token, { slug: 'bench-search', name: 'Search bench' });
    const workspace = await http('POST', '/v1/orgs/bench-search/workspaces', token, { name: 'docs' });
    await caughtUp();
    await http('PUT', '/v1/orgs/bench-search/workspaces/docs/stores/docs', token, {});
    const apiKey = (await http('POST', '/v1/me/api-keys', token, { name: 'search bench' })).key as string;
    await caughtUp();
    // Seeded with the daemon stopped, then projected by a fresh one: seeding and projecting are timed apart.
    await daemon.stop();
    daemon = null;

    const random = mulberry32(42);
    const vocabulary = buildVocabulary(random);
    const sampleWord = zipfSampler(vocabulary, random);
    const organizationId = organization.organizationId as string;
    const workspaceId = workspace.workspaceId as string;
    const storeId = storeIdFor(workspaceId, 'docs');
    const seedStarted = Date.now();
    const step = DEFAULT_STORE_SETTINGS.chunkMaxTokens - DEFAULT_STORE_SETTINGS.chunkOverlap;
    const perBatch = 50;
    for (let batch = 0; batch * perBatch < documentCount; batch++) {
      const documents: IndexedDocument[] = [];
      for (let i = batch * perBatch; i < Math.min(documentCount, (batch + 1) * perBatch); i++) {
        const chunks = 3 + Math.floor(random() * 3);
        const content = prose(
          (chunks - 1) * step +
            DEFAULT_STORE_SETTINGS.chunkOverlap +
            1 +
            Math.floor(random() * (step - DEFAULT_STORE_SETTINGS.chunkOverlap - 1)),
          sampleWord,
          random,
        );
        documents.push({
          documentId: `doc_${i}`,
          path: `docs/page-${i}.md`,
          title: `${sampleWord()} ${sampleWord()}`,
          description: null,
          frontmatter: {},
          content,
          contentHash: `h${i}`,
          blobSha: `b${i}`,
          previousChunkCount: 0,
          isNew: true,
        });
      }
      // A job per batch: every batch appended to one job's stream re-reads the documents of all
      // the batches before it (the decider folds the stream), which makes seeding quadratic.
      const jobId = `bench-job-${batch}`;
      const ref = {
        storeId,
        organizationId,
        workspaceId,
        repositoryId: null,
        githubRepoId: '1',
        repoFullName: 'bench/docs',
        jobId,
        batch: 0,
        commitSha: 'c0',
        at: '2026-11-01T00:00:00.000Z',
      };
      await handleCommand(
        store,
        ingestionStreamId(jobId),
        ingestionDecider,
        {
          type: 'RecordDocumentBatch',
          data: {
            indexed: {
              ...ref,
              chunking: { chunkMaxTokens: DEFAULT_STORE_SETTINGS.chunkMaxTokens, chunkOverlap: DEFAULT_STORE_SETTINGS.chunkOverlap },
              documents,
            },
            removed: null,
          },
        },
        { commandId: `bench-batch-${batch}` },
      );
    }
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const projectStarted = Date.now();
    daemon = await startDaemon();
    await caughtUp();
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
        results += (
          await queries.search({
            storeId,
            query,
            topK: 10,
            includeHighlights: variant.includeHighlights,
            candidateLimit: variant.candidateLimit,
          })
        ).results.length;
      });
      const measurement = {
        name: variant.name,
        queries: samples.length,
        p50Ms: percentile(samples, 50),
        p99Ms: percentile(samples, 99),
        meanResults: results / (samples.length + Math.min(20, queryCount)),
      };
      measurements.push(measurement);
      log(
        `  ${variant.name}: p50 ${fmt(measurement.p50Ms)} ms, p99 ${fmt(measurement.p99Ms)} ms over ${samples.length} queries (${fmt(measurement.meanResults, 1)} results on average)`,
      );
    }

    // What the candidate limit costs in quality: the top 10 documents of the default search
    // against those of ranking every match (a document scoring as the exact 10th counts: ties
    // are ordered arbitrarily), over the first queries.
    const compared = texts.slice(0, Math.min(50, texts.length));
    let agreement = 0;
    let judged = 0;
    for (const query of compared) {
      const request = { storeId, query, topK: 10, includeHighlights: false };
      const exact = (await queries.search({ ...request, candidateLimit: Number.MAX_SAFE_INTEGER })).results;
      if (exact.length === 0) continue;
      const banded = (await queries.search(request)).results;
      const exactIds = new Set(exact.map((r) => r.documentId));
      const floor = exact[exact.length - 1]!.score;
      agreement += Math.min(exact.length, banded.filter((r) => exactIds.has(r.documentId) || r.score >= floor).length) / exact.length;
      judged++;
    }
    const exactTop10Agreement = judged === 0 ? NaN : agreement / judged;
    log(
      `  default candidate limit vs ranking every match: ${fmt(exactTop10Agreement * 100, 1)} % of the exact top 10 kept (${judged} queries)`,
    );

    // Over HTTP, the API's defaults (topK 10, highlights on). Uncached: `?minPosition=` (already
    // reached) asks for a fresh read, which skips the query cache. Cached: every query asked once
    // (a miss fills the cache), then timed again within the cache's TTL.
    const head = encodeURIComponent(await store.headPosition());
    const searchOver = async (query: string, fresh: boolean) =>
      (await http(
        'POST',
        `/v1/search${fresh ? `?minPosition=${head}` : ''}`,
        apiKey,
        { query, topK: 10, filters: { labels: ['store:docs'] } },
        { 'x-workspace-id': workspaceId },
      )) as { results: unknown[]; latency: { cache: string } };
    const notes: string[] = [];
    for (const fresh of [true, false]) {
      let next = 0;
      let results = 0;
      const caches = new Map<string, number>();
      if (!fresh) for (const text of texts) await searchOver(text, false);
      const timings: Array<{ query: string; ms: number; results: number }> = [];
      const samples = await measure(
        queryCount,
        async () => {
          const query = texts[next++ % texts.length]!;
          const started = process.hrtime.bigint();
          const answer = await searchOver(query, fresh);
          timings.push({ query, ms: Number(process.hrtime.bigint() - started) / 1e6, results: answer.results.length });
          results += answer.results.length;
          caches.set(answer.latency.cache, (caches.get(answer.latency.cache) ?? 0) + 1);
        },
        fresh ? undefined : 0,
      );
      // Which queries make the tail: with a Zipf vocabulary, those of the most common words.
      const slowest = timings.sort((a, b) => b.ms - a.ms).slice(0, 3);
      const name = fresh ? 'POST /v1/search over HTTP, uncached (?minPosition=)' : 'POST /v1/search over HTTP, cached (repeated queries)';
      const measurement = {
        name,
        queries: samples.length,
        p50Ms: percentile(samples, 50),
        p99Ms: percentile(samples, 99),
        meanResults: results / next,
      };
      measurements.push(measurement);
      notes.push(
        `${name}: query cache ${[...caches].map(([k, n]) => `${k} ${n}`).join(', ')} (warm-up included); slowest: ${slowest.map((t) => `"${t.query}" ${fmt(t.ms, 1)} ms`).join(', ')}`,
      );
      log(
        `  ${name}: p50 ${fmt(measurement.p50Ms)} ms, p99 ${fmt(measurement.p99Ms)} ms over ${samples.length} requests (cache: ${[...caches].map(([k, n]) => `${k} ${n}`).join(', ')})`,
      );
    }
    if (cohere) {
      const semanticOver = async (query: string) =>
        (await http(
          'POST',
          `/v1/search?minPosition=${head}`,
          apiKey,
          { query, topK: 10, semantic: true, filters: { labels: ['store:docs'] } },
          { 'x-workspace-id': workspaceId },
        )) as { results: unknown[]; ranking: string; latency: { retrieval: number; embedding: number; semantic: number } };
      // The embedding reactor embeds the store's chunks (up to the vector leg's cap) off the
      // request path, as the projector does: timed apart, to the last stored vector.
      const vectors = new ChunkEmbeddingQueries(sqlOnPool(pool));
      const callsBefore = cohere.calls.length;
      const embeddingStarted = process.hrtime.bigint();
      const reactor = new ChunkEmbeddingReactor({
        pool,
        checkpoints: runtime.checkpoints,
        cohere: { apiKey: cohere.apiKey, apiUrl: cohere.url },
        logger: runtime.logger,
        pollIntervalMs: 200,
      });
      await reactor.start();
      let waiting = await vectors.chunksWithoutVector(storeId, EMBEDDED_CHUNK_LIMIT);
      // A bench, not a test: polling the count is the simplest honest clock here.
      while (waiting > 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        waiting = await vectors.chunksWithoutVector(storeId, EMBEDDED_CHUNK_LIMIT);
      }
      await reactor.stop();
      const embeddingMs = Number(process.hrtime.bigint() - embeddingStarted) / 1e6;
      const embedCalls = cohere.calls.slice(callsBefore).filter((c) => c.body.input_type === 'search_document').length;
      const embedded = cohere.calls
        .slice(callsBefore)
        .filter((c) => c.body.input_type === 'search_document')
        .reduce((n, c) => n + c.body.texts.length, 0);
      // The first semantic search reads the store's vectors into its matrix: timed once, apart.
      const coldStarted = process.hrtime.bigint();
      const cold = await semanticOver(texts[0]!);
      const coldMs = Number(process.hrtime.bigint() - coldStarted) / 1e6;
      let next = 0;
      let results = 0;
      const legs = { retrieval: [] as number[], embedding: [] as number[], semantic: [] as number[] };
      const samples = await measure(queryCount, async () => {
        const answer = await semanticOver(texts[next++ % texts.length]!);
        if (answer.ranking !== 'fulltext+semantic') throw new Error(`semantic search ranked ${answer.ranking}`);
        results += answer.results.length;
        for (const leg of ['retrieval', 'embedding', 'semantic'] as const) legs[leg].push(answer.latency[leg]);
      });
      const legMedians = (['retrieval', 'embedding', 'semantic'] as const)
        .map(
          (leg) =>
            `${leg} ${fmt(
              percentile(
                [...legs[leg]].sort((a, b) => a - b),
                50,
              ),
              1,
            )} ms`,
        )
        .join(', ');
      const name = 'POST /v1/search semantic: true over HTTP, uncached (fake Cohere, 1,024 dimensions)';
      const measurement = {
        name,
        queries: samples.length,
        p50Ms: percentile(samples, 50),
        p99Ms: percentile(samples, 99),
        meanResults: results / next,
      };
      measurements.push(measurement);
      const coldNote =
        `embedding reactor: ${embedded} chunk texts in ${embedCalls} calls, ${fmt(embeddingMs / 1000, 1)} s (${fmt(embedded / (embeddingMs / 1000), 0)} chunks/s against the loopback fake); ` +
        `first semantic search (reads the vectors into the matrix): ${fmt(coldMs, 0)} ms, ${cold.results.length} results`;
      log(`  server-side medians: ${legMedians} (semantic: store check, scan of the matrix, rows of vector-only hits)`);
      notes.push(
        `${name}: ${coldNote}; server-side medians ${legMedians}; a query vector is one loopback call to the fake the first time its text is searched.`,
      );
      log(`  ${coldNote}`);
      log(`  ${name}: p50 ${fmt(measurement.p50Ms)} ms, p99 ${fmt(measurement.p99Ms)} ms over ${samples.length} requests`);
    }
    notes.push(
      'HTTP: keep-alive fetch from the same process to the api (API key auth, X-Workspace-ID, store lookup, Nest); library: DocumentQueries.search on a pool, no HTTP.',
    );
    notes.push(
      `Quality of the default candidate limit: ${fmt(exactTop10Agreement * 100, 1)} % of the exact top 10 (every match ranked) kept, over ${judged} queries.`,
    );
    return { documents: documentCount, chunks, seedSeconds, projectSeconds, measurements, exactTop10Agreement, notes };
  } finally {
    await app?.close();
    await daemon?.stop();
    await runtime.close();
    await cohere?.close();
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
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ter',
    'an',
    'vel',
    'dor',
    'sil',
    'pra',
    'nu',
    'quo',
    'ren',
    'tis',
    'bar',
    'eon',
    'fyl',
    'gar',
    'hex',
    'jun',
    'wex',
  ];
  const rare = new Set<string>();
  while (rare.size < 20_000)
    rare.add(Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(''));
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
