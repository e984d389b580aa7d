import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { jobStreamId, storeIdFor } from '#domain';
import {
  GitHubAppClients,
  InProcessCache,
  InstallationRepositories,
  LocalIdentityProvider,
  OctokitInstallationsSource,
  SingleFlightCache,
  TokenCipher,
  createLogger,
  readRepositoryTree,
} from '#adapters';
import {
  StoreGitHubOAuthResultCommand,
  StoreGitHubOAuthResultHandler,
} from '../apps/api/src/integrations/store-github-oauth-result.handler.js';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { loadConfig } from '#runtime';
import { RATE_LIMITS, loadRateLimits } from '#runtime';
import { openRuntime, type Runtime } from '#runtime';
import { installationPayload, repositoryPayload, startFakeGitHub, type FakeGitHub } from '#testing';
import { ProjectorDaemon } from '../apps/projector/src/projector.daemon.js';
import { startReactors, type Reactors } from '../apps/projector/src/reactors/reactors.js';
import type { SearchBenchResults } from './search.bench.js';
import { benchDatabase, fmt, percentile, since, type BenchDatabase } from './support.js';

/**
 * Ingestion of a large repository against the real app (api, projector daemon, ingestion reactor,
 * all with their defaults) and a fake GitHub on loopback in the same process: the reindex request,
 * the job to its end, the documents read model catching up, and the GitHub calls by route. Then
 * a reindex with nothing changed, one after a small change, config detection, a truncated tree
 * (120k files) read by the tree reader, and the installation repository list's cache.
 */
export interface IngestionBenchOptions {
  /** Markdown files of the large repository (all matched by its lightfast.yml). */
  readonly files?: number;
  /** Files of the repository whose tree is read on its own to see truncation; 0 skips it. */
  readonly truncatedFiles?: number;
  /** Also ingest the truncated repository end to end (slow: as long as the large one). */
  readonly truncatedFull?: boolean;
  /** Small repositories reindexed (one request each) while the large one is being ingested. */
  readonly smallRepositories?: number;
  /** How long one ingestion may take before the section reports what it saw and stops. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

type Routes = Record<string, number>;

export interface IngestionRun {
  readonly name: string;
  readonly jobId: string;
  readonly status: string;
  /** HTTP round trip of `POST …/reindex` (202). */
  readonly requestMs: number;
  /** Request sent → the `jobs` read model shows the job ended. */
  readonly jobEndedMs: number;
  /** Request sent → the `documents` projection has applied the job's last event. */
  readonly documentsCaughtUpMs: number;
  /** From the job's own events: JobStarted → JobCompleted (the reactor's work). */
  readonly runMs: number | null;
  /** From the job's events: JobQueued → JobStarted (the reactor picking the job up). */
  readonly pickupMs: number | null;
  readonly githubCalls: Routes;
  readonly githubCallsTotal: number;
  /** Of those, answered `304 Not Modified` (an ETag matched; free for the rate limit). */
  readonly githubNotModified: number;
  readonly output: Record<string, unknown> | null;
  readonly error: string | null;
  readonly documents: number;
  readonly chunks: number;
  /** Progress seen while the job ran: seconds since the request, files processed, documents projected. */
  readonly timeline: Array<{ s: number; processed: number | null; total: number | null; documents: number }>;
}

export interface IngestionBenchResults {
  readonly files: number;
  readonly contentBytes: number;
  readonly setupSeconds: number;
  readonly reindexRequestMs: {
    readonly first: number;
    readonly duringIngestion: { readonly samples: number; readonly p50: number; readonly p99: number; readonly max: number };
  };
  readonly runs: IngestionRun[];
  readonly detectConfig: { readonly ms: number; readonly githubCalls: Routes; readonly status: number; readonly body: unknown } | null;
  readonly truncatedTree: Record<string, unknown> | null;
  readonly installationRepositories: Record<string, unknown>;
  readonly notes: string[];
}

const ORG = 'bench-ingest';
const INSTALLATION_ID = '8100';
const APP_ID = '8101';
const LARGE = { owner: 'bench', repo: 'handbook', id: 8_100_001 };
const CONFIG = 'version: 1\nstore: handbook\ninclude:\n  - docs/**/*.md\n';

export async function benchIngestion(options: IngestionBenchOptions = {}): Promise<IngestionBenchResults> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const fileCount = options.files ?? 100_000;
  const smallCount = options.smallRepositories ?? 20;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const notes: string[] = [];
  const setupStarted = process.hrtime.bigint();

  const env = await startEnvironment();
  try {
    const files = largeRepositoryFiles(fileCount);
    const contentBytes = files.reduce((sum, [, text]) => sum + Buffer.byteLength(text), 0);
    const small = Array.from({ length: smallCount }, (_, i) => ({ owner: 'bench', repo: `small-${i}`, id: 8_200_000 + i }));
    env.github.setInstallationRepositories(
      INSTALLATION_ID,
      [LARGE, ...small].map((r) => repositoryPayload(r.id, r.owner, r.repo)),
    );
    env.github.setRepository(LARGE.owner, LARGE.repo, { id: LARGE.id, files });
    for (const r of small)
      env.github.setRepository(r.owner, r.repo, { id: r.id, files: [['docs/index.md', `# ${r.repo}\n\nA small repository.\n`]] });
    // The fake counts down an installation's rate limit; GitHub's is 5,000–15,000 requests an hour.
    env.github.setRateLimitRemaining(INSTALLATION_ID, 1_000_000);

    const created = await env.request('POST', '/v1/orgs', { slug: ORG, name: 'Bench ingestion' });
    if (created.status !== 201) throw new Error(`POST /v1/orgs: ${created.status} ${JSON.stringify(created.body)}`);
    const connect = async (r: { owner: string; repo: string; id: number }) => {
      const connected = await env.request('POST', `/v1/orgs/${ORG}/repositories`, {
        githubRepoId: String(r.id),
        githubInstallationId: INSTALLATION_ID,
      });
      if (connected.status !== 201) throw new Error(`connect ${r.repo}: ${connected.status} ${JSON.stringify(connected.body)}`);
      return connected.body as { repositoryId: string; workspaceId: string; position: string };
    };
    const large = await connect(LARGE);
    const smallIds: string[] = [];
    for (const r of small) smallIds.push((await connect(r)).repositoryId);
    await env.runtime.checkpoints.waitFor('repositories', await env.runtime.store.headPosition(), 30_000);
    const storeId = storeIdFor(large.workspaceId, 'handbook');
    const setupSeconds = since(setupStarted) / 1000;
    log(
      `  ${fileCount} files (${fmt(contentBytes / 1e6, 1)} MB of markdown) in ${LARGE.owner}/${LARGE.repo}; set up in ${fmt(setupSeconds, 1)} s`,
    );

    const runs: IngestionRun[] = [];
    // The first reindex: its request, then one request on each small repository while it runs.
    const duringIngestion: number[] = [];
    const first = await reindexAndWait(
      env,
      { name: `first reindex (${fileCount} files)`, repositoryId: large.repositoryId, githubRepoId: String(LARGE.id), timeoutMs, log },
      async () => {
        for (const id of smallIds) {
          const started = process.hrtime.bigint();
          const response = await env.request('POST', `/v1/orgs/${ORG}/repositories/${id}/reindex`);
          duringIngestion.push(since(started));
          if (response.status !== 202)
            throw new Error(`reindex of a small repository: ${response.status} ${JSON.stringify(response.body)}`);
        }
      },
    );
    runs.push(first);
    duringIngestion.sort((a, b) => a - b);
    const reindexRequestMs = {
      first: first.requestMs,
      duringIngestion: {
        samples: duringIngestion.length,
        p50: percentile(duringIngestion, 50),
        p99: percentile(duringIngestion, 99),
        max: duringIngestion.at(-1) ?? NaN,
      },
    };
    log(
      `  reindex request: first ${fmt(first.requestMs)} ms; ${duringIngestion.length} on small repositories during the ingestion: p50 ${fmt(reindexRequestMs.duringIngestion.p50)} ms, max ${fmt(reindexRequestMs.duringIngestion.max)} ms`,
    );

    if (first.status === 'completed') {
      // Unchanged: the blob SHAs all match, so only the commit, the tree listing(s) and the config are read.
      runs.push(
        await reindexAndWait(env, {
          name: 'second reindex (nothing changed)',
          repositoryId: large.repositoryId,
          githubRepoId: String(LARGE.id),
          timeoutMs,
          log,
        }),
      );
      const paths = files.filter(([path]) => path.endsWith('.md')).map(([path]) => path);
      const changed = paths.slice(100, 110);
      const removed = paths.slice(200, 205);
      env.github.updateRepositoryFiles(LARGE.owner, LARGE.repo, {
        upsert: Object.fromEntries(changed.map((path, i) => [path, markdownPage(1_000_000 + i, path)])),
        remove: removed,
      });
      runs.push(
        await reindexAndWait(env, {
          name: 'third reindex (10 files changed, 5 removed)',
          repositoryId: large.repositoryId,
          githubRepoId: String(LARGE.id),
          timeoutMs,
          log,
        }),
      );
    } else {
      notes.push(`the first reindex ended "${first.status}" within ${timeoutMs / 1000} s: the second and third reindexes were not run`);
    }

    log('  config detection (POST …/detect-config)');
    const before = snapshot(env.github);
    const detectStarted = process.hrtime.bigint();
    const detected = await env.request('POST', `/v1/orgs/${ORG}/repositories/${large.repositoryId}/detect-config`);
    const detectConfig = {
      ms: since(detectStarted),
      githubCalls: diff(before, snapshot(env.github)),
      status: detected.status,
      body: { exists: detected.body?.exists, path: detected.body?.path, status: detected.body?.status },
    };
    log(`    ${detected.status} in ${fmt(detectConfig.ms)} ms, GitHub calls: ${formatRoutes(detectConfig.githubCalls)}`);

    let truncatedTree: Record<string, unknown> | null = null;
    if ((options.truncatedFiles ?? 120_000) > 0)
      truncatedTree = await benchTruncatedTree(
        env,
        options.truncatedFiles ?? 120_000,
        options.truncatedFull ?? false,
        timeoutMs,
        log,
        runs,
      );

    log('  installation repository list (library level: InstallationRepositories)');
    const installationRepositories = await benchInstallationRepositories(
      env.github,
      { appId: APP_ID, privateKey: env.appKey.privateKey },
      log,
    );

    const [{ documents }] = (await env.runtime.dataSource.query('SELECT count(*)::int AS documents FROM documents WHERE store_id = $1', [
      storeId,
    ])) as Array<{ documents: number }>;
    notes.push(
      'the fake GitHub runs in the benchmark process: its CPU (tree listings, base64 blobs, JSON) shares the two cores with the api, the projector and the reactor, as Octokit does over loopback HTTP.',
      `reactor defaults: batchSize 50 (one GraphQL query of 50 blobs per batch, one DocumentsIndexed event), blobQueriesAhead 4 (queries in flight ahead of the appends), maxBatchesPerAppend 8 (batches already read are appended together, one commit), treeConcurrency 8, concurrency 2 jobs; the fake's tree listing limits: 100,000 entries, 7 MB (both as GitHub documents them).`,
      `documents in the large repository's store at the end: ${documents}.`,
      `the first reindex's GitHub calls include the ${smallCount} small repositories' reindexes made while it ran (each: commit, recursive tree, one blob); the large job's own count is its output's githubCalls.`,
    );
    return {
      files: fileCount,
      contentBytes,
      setupSeconds,
      reindexRequestMs,
      runs,
      detectConfig,
      truncatedTree,
      installationRepositories,
      notes,
    };
  } finally {
    await env.close();
  }
}

// ---------------------------------------------------------------------------------------------

interface Environment {
  readonly runtime: Runtime;
  readonly github: FakeGitHub;
  readonly appKey: { readonly privateKey: string; readonly publicKey: string };
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> | null }>;
  close(): Promise<void>;
}

/** The app as apps/console/src/main.ts builds it, on a fresh database, with a fake GitHub App. */
async function startEnvironment(): Promise<Environment> {
  const appKey = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const github = await startFakeGitHub();
  github.setApp({ appId: APP_ID, publicKey: appKey.publicKey });
  const saved = { id: process.env.GITHUB_APP_ID, key: process.env.GITHUB_APP_PRIVATE_KEY };
  process.env.GITHUB_APP_ID = APP_ID;
  process.env.GITHUB_APP_PRIVATE_KEY = appKey.privateKey;
  let database: BenchDatabase | null = null;
  let runtime: Runtime | null = null;
  let daemon: ProjectorDaemon | null = null;
  let reactors: Reactors | null = null;
  let app: INestApplication | null = null;
  const close = async () => {
    await app?.close();
    await reactors?.stop();
    await daemon?.stop();
    await runtime?.close();
    await database?.drop();
    await github.close();
    for (const [name, value] of [
      ['GITHUB_APP_ID', saved.id],
      ['GITHUB_APP_PRIVATE_KEY', saved.key],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  try {
    database = await benchDatabase();
    runtime = await openRuntime(
      // No rate limits: the bench connects and reindexes faster than an organization's default allowance.
      {
        ...loadConfig({}),
        githubApiUrl: github.url,
        rateLimits: loadRateLimits(Object.fromEntries(Object.values(RATE_LIMITS).map((limit) => [limit.env, 'off']))),
      },
      {
        databaseUrl: database.url,
        identity: await LocalIdentityProvider.ephemeral(),
        logger: createLogger('bench', 'warn'),
        cipher: new TokenCipher(randomBytes(32)),
      },
    );
    daemon = new ProjectorDaemon({
      store: runtime.store,
      pool: runtime.projectorPool,
      connectionString: runtime.databaseUrl,
      logger: runtime.logger,
    });
    await daemon.start();
    reactors = await startReactors(runtime);
    app = await createApiApp(runtime);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const authorization = `Bearer ${await runtime.identity.mint({ userId: 'user_bench', organizationSlug: ORG, role: 'admin' })}`;
    // The bench user's GitHub token lists the installation: connecting needs the member's own access.
    const userToken = 'gho_bench_user';
    github.setInstallations(userToken, [installationPayload(Number(INSTALLATION_ID), 'bench')]);
    const source = new OctokitInstallationsSource({ baseUrl: github.url });
    await new StoreGitHubOAuthResultHandler(runtime.cipher, runtime.store).execute(
      new StoreGitHubOAuthResultCommand(
        'user_bench',
        { accessToken: userToken, scopes: [], installations: await source.listUserInstallations(userToken) },
        { commandId: 'bench-github-integration', userId: 'user_bench' },
      ),
    );
    return {
      runtime,
      github,
      appKey,
      async request(method, path, body) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, {
          method,
          headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : null };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const ENDED = ['completed', 'failed', 'cancelled'];

/**
 * `POST …/reindex`, then the job to its end and the documents projection to the job's last event.
 * `meanwhile` runs right after the 202, while the job runs.
 */
async function reindexAndWait(
  env: Environment,
  run: { name: string; repositoryId: string; githubRepoId: string; timeoutMs: number; log: (line: string) => void },
  meanwhile?: () => Promise<void>,
): Promise<IngestionRun> {
  const { runtime } = env;
  run.log(`  ${run.name}`);
  const before = snapshot(env.github);
  const notModifiedBefore = notModifiedTotal(env.github);
  const started = process.hrtime.bigint();
  const response = await env.request('POST', `/v1/orgs/${ORG}/repositories/${run.repositoryId}/reindex`);
  const requestMs = since(started);
  if (response.status !== 202) throw new Error(`reindex: ${response.status} ${JSON.stringify(response.body)}`);
  const jobId = response.body!.jobId as string;

  const countDocuments = async () =>
    (
      (await runtime.dataSource.query('SELECT count(*)::int AS n FROM documents WHERE github_repo_id = $1', [run.githubRepoId])) as Array<{
        n: number;
      }>
    )[0]!.n;
  const timeline: IngestionRun['timeline'] = [];
  // A look every 10 s, for the report only: the waits below are woken by the projections.
  const sampler = setInterval(() => {
    void (async () => {
      const [row] = (await runtime.dataSource.query('SELECT progress FROM jobs WHERE id = $1', [jobId])) as Array<{
        progress: { processed?: number; total?: number } | null;
      }>;
      const point = {
        s: Math.round(since(started) / 100) / 10,
        processed: row?.progress?.processed ?? null,
        total: row?.progress?.total ?? null,
        documents: await countDocuments(),
      };
      timeline.push(point);
      run.log(
        `    t=${fmt(point.s, 0)} s: ${point.processed ?? 0}/${point.total ?? '?'} files processed, ${point.documents} documents projected`,
      );
    })().catch(() => undefined);
  }, 10_000);
  let status = 'timeout';
  let error: string | null = null;
  let output: Record<string, unknown> | null = null;
  let jobEndedMs = NaN;
  let documentsCaughtUpMs = NaN;
  try {
    await meanwhile?.();
    const row = await runtime.checkpoints.waitUntil(
      'jobs',
      async () => {
        const [found] = (await runtime.dataSource.query('SELECT status, output, error_message FROM jobs WHERE id = $1', [jobId])) as Array<{
          status: string;
          output: Record<string, unknown> | null;
          error_message: string | null;
        }>;
        return found && ENDED.includes(found.status) ? found : undefined;
      },
      `job ${jobId} ended`,
      run.timeoutMs,
    );
    jobEndedMs = since(started);
    status = row.status;
    output = row.output;
    error = row.error_message;
    const events = await runtime.store.readStream(jobStreamId(jobId));
    await runtime.checkpoints.waitFor('documents', events.at(-1)!.position, run.timeoutMs);
    documentsCaughtUpMs = since(started);
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  } finally {
    clearInterval(sampler);
  }
  // When each event was recorded: the reactor's timeline as the store saw it.
  const events = await runtime.store.readStream(jobStreamId(jobId));
  const at = (type: string) => {
    const found = events.find((e) => e.type === type)?.recordedAt;
    return found === undefined ? null : Date.parse(found);
  };
  const [queuedAt, startedAt, endedAt] = [at('JobQueued'), at('JobStarted'), at('JobCompleted') ?? at('JobFailed') ?? at('JobCancelled')];
  const githubCalls = diff(before, snapshot(env.github));
  const [counts] = (await runtime.dataSource.query(
    'SELECT (SELECT count(*)::int FROM documents WHERE github_repo_id = $1) AS documents, (SELECT count(*)::int FROM document_chunks c JOIN documents d ON d.id = c.document_id WHERE d.github_repo_id = $1) AS chunks',
    [run.githubRepoId],
  )) as Array<{ documents: number; chunks: number }>;
  const result: IngestionRun = {
    name: run.name,
    jobId,
    status,
    requestMs,
    jobEndedMs,
    documentsCaughtUpMs,
    runMs: startedAt !== null && endedAt !== null ? endedAt - startedAt : null,
    pickupMs: queuedAt !== null && startedAt !== null ? startedAt - queuedAt : null,
    githubCalls,
    githubCallsTotal: Object.values(githubCalls).reduce((sum, n) => sum + n, 0),
    githubNotModified: notModifiedTotal(env.github) - notModifiedBefore,
    output,
    error,
    documents: counts!.documents,
    chunks: counts!.chunks,
    timeline,
  };
  run.log(
    `    ${status}${error ? ` (${error})` : ''}: request ${fmt(requestMs)} ms, job ended after ${fmt(jobEndedMs / 1000, 1)} s (run ${result.runMs === null ? 'n/a' : fmt(result.runMs / 1000, 1)} s), documents caught up after ${fmt(documentsCaughtUpMs / 1000, 1)} s`,
  );
  run.log(`    GitHub calls (${result.githubCallsTotal}, ${result.githubNotModified} answered 304): ${formatRoutes(githubCalls)}`);
  if (output)
    run.log(
      `    output: ${JSON.stringify(pick(output, ['treeFiles', 'treeTruncated', 'filesMatched', 'documentsIndexed', 'documentsRemoved', 'unchanged', 'githubCalls', 'ingestionMs']))}`,
    );
  run.log(`    read model: ${result.documents} documents, ${result.chunks} chunks`);
  return result;
}

/** A repository past GitHub's recursive listing limits: the tree reader's calls and time, and optionally a full ingestion. */
async function benchTruncatedTree(
  env: Environment,
  fileCount: number,
  full: boolean,
  timeoutMs: number,
  log: (line: string) => void,
  runs: IngestionRun[],
): Promise<Record<string, unknown>> {
  const repository = { owner: 'bench', repo: 'huge', id: 8_100_002 };
  log(`  truncated tree: ${fileCount} files (tree reader at library level${full ? ', then a full ingestion' : ''})`);
  env.github.setRepository(repository.owner, repository.repo, { id: repository.id, files: largeRepositoryFiles(fileCount) });
  const clients = new GitHubAppClients({ appId: APP_ID, privateKey: env.appKey.privateKey, baseUrl: env.github.url }, new InProcessCache());
  const octokit = clients.forInstallation(INSTALLATION_ID);
  const recursive = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
    owner: repository.owner,
    repo: repository.repo,
    tree_sha: 'main',
    recursive: '1',
  });
  const listing = recursive.data as { tree: unknown[]; truncated: boolean };
  const before = snapshot(env.github);
  const started = process.hrtime.bigint();
  const tree = await readRepositoryTree(octokit, { owner: repository.owner, repo: repository.repo });
  const ms = since(started);
  const calls = diff(before, snapshot(env.github));
  const result: Record<string, unknown> = {
    files: fileCount,
    recursiveListingEntries: listing.tree.length,
    recursiveListingTruncated: listing.truncated,
    treeFilesRead: tree.files.length,
    truncated: tree.truncated,
    requests: tree.requests,
    ms,
    githubCalls: calls,
  };
  log(
    `    one recursive listing holds ${listing.tree.length} entries (truncated: ${listing.truncated}); the reader got ${tree.files.length} files in ${fmt(ms)} ms with ${tree.requests} calls: ${formatRoutes(calls)}`,
  );
  if (full) {
    const connected = await env.request('POST', `/v1/orgs/${ORG}/repositories`, {
      githubRepoId: String(repository.id),
      githubInstallationId: INSTALLATION_ID,
    });
    const { position, repositoryId } = connected.body as { position: string; repositoryId: string };
    await env.runtime.checkpoints.waitFor('repositories', position, 30_000);
    runs.push(
      await reindexAndWait(env, {
        name: `reindex of the truncated repository (${fileCount} files)`,
        repositoryId,
        githubRepoId: String(repository.id),
        timeoutMs,
        log,
      }),
    );
  }
  return result;
}

/**
 * `InstallationRepositories` (the cached, ETag-revalidated listing), measured as its spec does: no
 * API route lists an installation's repositories yet. Uncached = the first call (installation
 * token + every page), cached = within the TTL, revalidated = after the list entry is gone (as
 * after its TTL): every page asked again with its ETag.
 */
export async function benchInstallationRepositories(
  github: FakeGitHub,
  { appId, privateKey }: { appId: string; privateKey: string },
  log: (line: string) => void,
  repositories = 500,
  samples = 20,
): Promise<Record<string, unknown>> {
  const installationId = '8301';
  github.setInstallationRepositories(
    installationId,
    Array.from({ length: repositories }, (_, i) => repositoryPayload(8_300_000 + i, 'bench-listing', `repo-${i}`)),
  );
  const cache = new InProcessCache();
  const list = new InstallationRepositories(
    new GitHubAppClients({ appId, privateKey, baseUrl: github.url }, cache),
    new SingleFlightCache(cache),
  );
  const listings = () => github.requests.get('GET /installation/repositories') ?? 0;
  const revalidated = () => github.notModified.get('GET /installation/repositories') ?? 0;
  const tokens = () =>
    [...github.requests]
      .filter(([key]) => key === `POST /app/installations/${installationId}/access_tokens`)
      .reduce((sum, [, n]) => sum + n, 0);
  try {
    const timed = async () => {
      const [l, r, t] = [listings(), revalidated(), tokens()];
      const started = process.hrtime.bigint();
      const found = await list.list(installationId);
      return {
        ms: since(started),
        repositories: found.length,
        requests: listings() - l,
        notModified: revalidated() - r,
        tokenRequests: tokens() - t,
      };
    };
    const uncached = await timed();
    const cached: number[] = [];
    for (let i = 0; i < samples; i++) cached.push((await timed()).ms);
    const revalidations: Array<Awaited<ReturnType<typeof timed>>> = [];
    for (let i = 0; i < samples; i++) {
      await list.invalidate(installationId);
      revalidations.push(await timed());
    }
    cached.sort((a, b) => a - b);
    const revalidatedMs = revalidations.map((r) => r.ms).sort((a, b) => a - b);
    const result = {
      repositories,
      pages: uncached.requests,
      uncached,
      cached: { samples, p50: percentile(cached, 50), max: cached.at(-1) },
      revalidated: {
        samples,
        p50: percentile(revalidatedMs, 50),
        max: revalidatedMs.at(-1),
        requestsPerCall: revalidations[0]!.requests,
        notModifiedPerCall: revalidations[0]!.notModified,
        tokenRequests: revalidations.reduce((s, r) => s + r.tokenRequests, 0),
      },
    };
    log(
      `    ${repositories} repositories (${uncached.requests} pages): uncached ${fmt(uncached.ms)} ms (${uncached.tokenRequests} token request, ${uncached.requests} pages, 200s)`,
    );
    log(`    cached (within the TTL): p50 ${fmt(result.cached.p50)} ms, max ${fmt(result.cached.max ?? NaN)} ms, no requests`);
    log(
      `    revalidated (entry expired): p50 ${fmt(result.revalidated.p50)} ms, ${result.revalidated.requestsPerCall} requests per call, ${result.revalidated.notModifiedPerCall} of them 304`,
    );
    return result;
  } finally {
    await cache.close();
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * `count` markdown files of about 1 KB with frontmatter under docs/, nested three levels deep
 * (10 × 10 × 10 directories), plus the config and a few files it does not match.
 */
export function largeRepositoryFiles(count: number): Array<[string, string]> {
  const files: Array<[string, string]> = [
    ['lightfast.yml', CONFIG],
    ['README.md', '# Handbook\n\nEverything is under docs/.\n'],
    ['package.json', '{ "name": "handbook", "private": true }\n'],
    ['src/index.ts', 'export {};\n'],
  ];
  for (let n = 0; n < count; n++) {
    const path = `docs/${AREAS[n % 10]}/topic-${Math.floor(n / 10) % 10}/part-${Math.floor(n / 100) % 10}/page-${n}.md`;
    files.push([path, markdownPage(n, path)]);
  }
  return files;
}

const AREAS = ['guides', 'reference', 'operations', 'security', 'billing', 'api', 'cli', 'sdk', 'integrations', 'faq'];
const WORDS = (
  'the store indexes every document by its blob sha so a change to one file re-indexes that file alone while a removed file leaves ' +
  'the index on the next sync search ranks chunks by title and body with highlights webhook push events queue a job that the reactor runs ' +
  'configuration lives in lightfast yml at the root of the repository and lists the globs to include'
).split(' ');

export function markdownPage(n: number, path: string): string {
  const words = (offset: number, count: number) =>
    Array.from({ length: count }, (_, i) => WORDS[(n * 7 + offset + i * 3) % WORDS.length]).join(' ');
  return [
    '---',
    `title: Page ${n} of ${path.split('/')[1]}`,
    `description: ${words(1, 10)}.`,
    `tags: [${AREAS[n % 10]}, topic-${Math.floor(n / 10) % 10}]`,
    '---',
    '',
    `# Page ${n}`,
    '',
    `${words(2, 40)} (page ${n}).`,
    '',
    '## Details',
    '',
    `${words(3, 40)}.`,
    '',
    '## Notes',
    '',
    `- ${words(4, 12)}`,
    `- ${words(5, 12)} token${n}`,
    '',
  ].join('\n');
}

const snapshot = (github: FakeGitHub): Routes => {
  const counts: Routes = Object.fromEntries(github.routes);
  for (const [key, n] of github.requests)
    if (key.startsWith('POST /app/installations/'))
      counts['POST /app/installations/{id}/access_tokens'] = (counts['POST /app/installations/{id}/access_tokens'] ?? 0) + n;
  return counts;
};

const notModifiedTotal = (github: FakeGitHub) => [...github.notModified.values()].reduce((sum, n) => sum + n, 0);

const diff = (before: Routes, after: Routes): Routes =>
  Object.fromEntries(
    Object.entries(after).flatMap(([route, n]) => (n - (before[route] ?? 0) > 0 ? [[route, n - (before[route] ?? 0)]] : [])),
  );

const formatRoutes = (routes: Routes) =>
  Object.entries(routes)
    .map(([route, n]) => `${route.replace('GET /repos/{owner}/{repo}', '').replace(/^$/, 'repository') || route} ${n}`)
    .join(', ') || 'none';

const pick = (object: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]));

/** The ingestion and search figures as a markdown summary, each with the numbers behind it. */
export function formatIngestionMarkdown(
  ingestion: IngestionBenchResults | undefined,
  search: SearchBenchResults | undefined,
  about: { date: string; node: string; database: string },
): string {
  const lines = [`# Ingestion and search benchmark ${about.date} (node ${about.node}, ${about.database} PostgreSQL)`, ''];
  const ms = (n: number | null | undefined) =>
    n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : n >= 10_000 ? `${fmt(n / 1000, 1)} s` : `${fmt(n, 1)} ms`;
  if (ingestion) {
    const r = ingestion.reindexRequestMs;
    lines.push(
      `## Ingestion of a ${ingestion.files}-file repository (${fmt(ingestion.contentBytes / 1e6, 1)} MB of markdown)`,
      '',
      `Reindex request (HTTP 202 round trip): first ${ms(r.first)}; ${r.duringIngestion.samples} requests on small repositories during the ingestion: p50 ${ms(r.duringIngestion.p50)}, p99 ${ms(r.duringIngestion.p99)}, max ${ms(r.duringIngestion.max)}.`,
      '',
      '| run | status | job ended | documents caught up | reactor run (JobStarted→end) | GitHub calls | of them 304 | documents / chunks | tree truncated |',
      '|---|---|---|---|---|---|---|---|---|',
      ...ingestion.runs.map(
        (run) =>
          `| ${run.name} | ${run.status} | ${ms(run.jobEndedMs)} | ${ms(run.documentsCaughtUpMs)} | ${ms(run.runMs)} | ${run.githubCallsTotal}: ${Object.entries(
            run.githubCalls,
          )
            .map(([route, n]) => `${route.replace('GET /repos/{owner}/{repo}', '')} ${n}`)
            .join(', ')} | ${run.githubNotModified} | ${run.documents} / ${run.chunks} | ${String(run.output?.treeTruncated ?? 'n/a')} |`,
      ),
      '',
    );
    for (const run of ingestion.runs) if (run.output) lines.push(`- ${run.name}: output \`${JSON.stringify(run.output)}\``);
    lines.push('');
    if (ingestion.detectConfig)
      lines.push(
        `Config detection: ${ingestion.detectConfig.status} in ${ms(ingestion.detectConfig.ms)}, GitHub calls ${JSON.stringify(ingestion.detectConfig.githubCalls)}.`,
        '',
      );
    if (ingestion.truncatedTree) lines.push(`Truncated tree: \`${JSON.stringify(ingestion.truncatedTree)}\``, '');
    lines.push(`Installation repository list (library level): \`${JSON.stringify(ingestion.installationRepositories)}\``, '');
    for (const note of ingestion.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  if (search) {
    lines.push(
      `## Search over ${search.documents} documents (${search.chunks} chunks)`,
      '',
      '| measurement | queries | p50 | p99 | results |',
      '|---|---|---|---|---|',
    );
    for (const m of search.measurements)
      lines.push(`| ${m.name} | ${m.queries} | ${ms(m.p50Ms)} | ${ms(m.p99Ms)} | ${fmt(m.meanResults, 1)} |`);
    lines.push('', `Seeded in ${fmt(search.seedSeconds, 1)} s, projected in ${fmt(search.projectSeconds, 1)} s.`);
    for (const note of search.notes ?? []) lines.push(`- ${note}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
