import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { LocalIdentityProvider, createLogger } from '#adapters';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { ApiKeyAuthenticator, authenticateApiKeyBearer } from '../apps/api/src/api-keys/api-key.authenticator.js';
import { OrgAccess, orgAccessChecks } from '../apps/api/src/auth/org-access.js';
import { ApiKeyQueries, WorkspaceQueries, sqlOnDataSource } from '#read-models';
import { loadConfig } from '#runtime';
import { openRuntime } from '#runtime';
import { ProjectorDaemon } from '../apps/projector/src/projector.daemon.js';
import { fmt, measure, percentile } from './support.js';

/**
 * Authentication overhead per request (issue 4's closing note; a benchmark, not a test).
 *
 * The api and the projector daemon as `npm start` runs them, on `databaseUrl`, with an ephemeral
 * local identity provider: its session tokens are verified exactly as Clerk's are (`@clerk/backend`,
 * RS256, key given), so JWT verification costs what it costs with Clerk, minus the network (none:
 * the key is configured). Measured side by side in one run, over loopback HTTP with one keep-alive
 * client, requests one at a time, in interleaved rounds so load that drifts during the run falls
 * on every row alike:
 *
 *   floor        GET /health/live: public, no guard work
 *   token        GET /v1/orgs/{org}/workspaces, session token whose active organization it is:
 *                JWT verification only (the claims carry id, slug and role)
 *   read model   the same for a member whose active organization is another one: JWT
 *                verification and one indexed lookup in `organizations`/`org_memberships`
 *   API key      no route accepts API keys yet (every `{org}` route and `/v1/me/*` refuses them), so
 *                the key path is measured twice: `authenticateApiKeyBearer` in process (hash + one
 *                indexed lookup on `api_keys`; its throttled last-use append runs off the request
 *                path), and the same workspace list with the key over HTTP, which the guard
 *                authenticates and the route then refuses with 403
 *
 * Overhead is the difference to the floor (p50 to p50, p99 to p99). The in-process rows split it:
 * JWT verification, the membership lookup, and the route's own query (the workspace list), which
 * is the route's work, not authentication's.
 */
export interface AuthBenchOptions {
  /** Timed runs per row (default 2000), spread over `rounds` interleaved rounds (default 10). */
  readonly iterations?: number;
  readonly rounds?: number;
  readonly log?: (line: string) => void;
}

export interface AuthBenchRow {
  readonly key: string;
  readonly label: string;
  readonly kind: 'http' | 'in-process';
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** HTTP rows: p50 and p99 minus the floor's. */
  readonly overheadP50Ms: number | null;
  readonly overheadP99Ms: number | null;
  /** HTTP rows: how OrgAccess answered, per timed request (from the `org_access_checks_total` counter). */
  readonly orgAccessPerRequest: Record<string, number> | null;
}

export interface AuthBenchResult {
  readonly iterations: number;
  readonly rows: AuthBenchRow[];
  readonly notes: string[];
  /** The rows as a Markdown table. */
  readonly table: string;
}

const ORG = 'bench-auth';
const OTHER_ORG = 'bench-auth-home';
const USER = 'user_bench_auth';
/** Untimed runs per row before its first timed round. */
const WARMUP = 50;

interface Row {
  readonly key: string;
  readonly label: string;
  readonly kind: 'http' | 'in-process';
  readonly work: () => Promise<unknown>;
}

export async function benchAuthentication(databaseUrl: string, options: AuthBenchOptions = {}): Promise<AuthBenchResult> {
  const iterations = options.iterations ?? 2_000;
  const rounds = Math.max(1, Math.min(options.rounds ?? 10, iterations));
  const log = options.log ?? (() => undefined);
  const runtime = await openRuntime(loadConfig({}), {
    databaseUrl,
    identity: await LocalIdentityProvider.ephemeral(),
    logger: createLogger('bench', 'warn'),
  });
  const daemon = new ProjectorDaemon({
    store: runtime.store,
    pool: runtime.projectorPool,
    connectionString: databaseUrl,
    logger: runtime.logger,
  });
  let app: INestApplication | null = null;
  const authenticator = new ApiKeyAuthenticator(new ApiKeyQueries(sqlOnDataSource(runtime.dataSource)), runtime.store, runtime.logger);
  try {
    await daemon.start();
    app = await createApiApp(runtime);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const request = async (
      path: string,
      token: string | null,
      expected: number,
      init: { method?: string; body?: unknown } = {},
    ): Promise<Record<string, unknown> | null> => {
      const response = await fetch(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      if (response.status !== expected)
        throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status}, expected ${expected}: ${text.slice(0, 200)}`);
      return text ? (JSON.parse(text) as Record<string, unknown>) : null;
    };

    // The organization through the API: its creator becomes an admin member, in the read model once projected.
    const otherOrgToken = await runtime.identity.mint({ userId: USER, organizationSlug: OTHER_ORG, role: 'admin' });
    const activeOrgToken = await runtime.identity.mint({ userId: USER, organizationSlug: ORG, role: 'admin' });
    const created = (await request('/v1/orgs', otherOrgToken, 201, { method: 'POST', body: { slug: ORG, name: 'Bench Auth' } }))!;
    for (const name of ['alpha', 'beta', 'gamma'])
      await request(`/v1/orgs/${ORG}/workspaces`, activeOrgToken, 201, { method: 'POST', body: { name } });
    const key = (await request('/v1/me/api-keys', activeOrgToken, 201, { method: 'POST', body: { name: 'bench' } }))!;
    // Wait until the membership and the key are in their read models (the lookups measured below).
    await request(`/v1/me/organizations?minPosition=${String(key.position)}`, otherOrgToken, 200);
    await request(`/v1/me/api-keys?minPosition=${String(key.position)}`, activeOrgToken, 200);
    const workspaces = `/v1/orgs/${ORG}/workspaces?minPosition=${String(key.position)}`;
    await request(workspaces, activeOrgToken, 200);

    const secret = key.key as string;
    const orgAccess = app.get(OrgAccess, { strict: false });
    const workspaceQueries = app.get(WorkspaceQueries, { strict: false });
    const activePrincipal = await runtime.authenticator.verify(activeOrgToken);
    const otherPrincipal = await runtime.authenticator.verify(otherOrgToken);
    const list = `/v1/orgs/${ORG}/workspaces`;
    const rows: Row[] = [
      { key: 'floor', label: 'GET /health/live (public: the floor)', kind: 'http', work: () => request('/health/live', null, 200) },
      {
        key: 'token',
        label: `GET ${list}, session token, active org (JWT only)`,
        kind: 'http',
        work: () => request(list, activeOrgToken, 200),
      },
      {
        key: 'read_model',
        label: `GET ${list}, session token, member via read model (JWT + 1 lookup)`,
        kind: 'http',
        work: () => request(list, otherOrgToken, 200),
      },
      {
        key: 'api_key_http',
        label: `GET ${list}, API key (guard authenticates it, route answers 403)`,
        kind: 'http',
        work: () => request(list, secret, 403),
      },
      {
        key: 'verify_jwt',
        label: 'in process: session JWT verification (@clerk/backend, RS256)',
        kind: 'in-process',
        work: () => runtime.authenticator.verify(activeOrgToken),
      },
      {
        key: 'api_key',
        label: 'in process: authenticateApiKeyBearer (hash + indexed lookup)',
        kind: 'in-process',
        work: () => authenticateApiKeyBearer(secret, authenticator),
      },
      {
        key: 'org_token',
        label: 'in process: OrgAccess.requireOrg, active org (claims)',
        kind: 'in-process',
        work: () => orgAccess.requireOrg(activePrincipal, ORG),
      },
      {
        key: 'org_read_model',
        label: 'in process: OrgAccess.requireOrg, read-model membership',
        kind: 'in-process',
        work: () => orgAccess.requireOrg(otherPrincipal, ORG),
      },
      {
        key: 'route_query',
        label: "in process: the route's own query (WorkspaceQueries.list)",
        kind: 'in-process',
        work: () => workspaceQueries.list(created.organizationId as string),
      },
    ];

    log(`# authentication overhead: ${iterations} timed runs per row in ${rounds} interleaved rounds`);
    const samples = new Map<string, number[]>(rows.map((r) => [r.key, []]));
    const checks = new Map<string, Record<string, number>>();
    const perRound = Math.ceil(iterations / rounds);
    for (let round = 0; round < rounds; round++) {
      for (const row of rows) {
        const before = await accessCounts();
        // Warm-up in the first round only (JIT, pool connections, keep-alive socket).
        const timed = await measure(Math.min(perRound, iterations - round * perRound), row.work, round === 0 ? WARMUP : 0);
        const after = await accessCounts();
        samples.get(row.key)!.push(...timed);
        const delta = checks.get(row.key) ?? {};
        for (const [via, n] of Object.entries(after)) delta[via] = (delta[via] ?? 0) + n - (before[via] ?? 0);
        checks.set(row.key, delta);
      }
    }
    await authenticator.flush();

    const floor = sorted(samples.get('floor')!);
    const floorP50 = percentile(floor, 50);
    const floorP99 = percentile(floor, 99);
    const results: AuthBenchRow[] = rows.map((row) => {
      const all = sorted(samples.get(row.key)!);
      const p50Ms = percentile(all, 50);
      const p99Ms = percentile(all, 99);
      const http = row.kind === 'http';
      const counts = checks.get(row.key) ?? {};
      return {
        key: row.key,
        label: row.label,
        kind: row.kind,
        samples: all.length,
        p50Ms,
        p99Ms,
        overheadP50Ms: http && row.key !== 'floor' ? p50Ms - floorP50 : null,
        overheadP99Ms: http && row.key !== 'floor' ? p99Ms - floorP99 : null,
        // Counted over warm-up and timed runs alike.
        orgAccessPerRequest: http
          ? Object.fromEntries(
              Object.entries(counts)
                .filter(([, n]) => n > 0)
                .map(([via, n]) => [via, round2(n / (all.length + WARMUP))]),
            )
          : null,
      };
    });

    const byKey = new Map(results.map((r) => [r.key, r]));
    const notes = [
      `Node ${process.version}; ${iterations} timed runs per row; one keep-alive fetch client, one request at a time.`,
      `Session rows: OrgAccess answered ${describeAccess(byKey.get('token')!)} (token row) and ${describeAccess(byKey.get('read_model')!)} (read-model row).`,
      `Authentication alone, p50: JWT ${fmt(byKey.get('verify_jwt')!.p50Ms, 3)} ms, + membership lookup ${fmt(byKey.get('org_read_model')!.p50Ms, 3)} ms for a non-active org; API key ${fmt(byKey.get('api_key')!.p50Ms, 3)} ms. The route's own list query is ${fmt(byKey.get('route_query')!.p50Ms, 3)} ms of the HTTP rows' overhead.`,
      'No route accepts API keys yet: the HTTP API-key row pays the key lookup in the guard and then a 403 from OrgAccess (no list query).',
    ];
    const table = formatTable(results);
    log(table);
    for (const note of notes) log(`  ${note}`);
    return { iterations, rows: results, notes, table };
  } finally {
    await authenticator.flush().catch(() => undefined);
    await app?.close();
    await daemon.stop();
    await runtime.close();
  }
}

async function accessCounts(): Promise<Record<string, number>> {
  const metric = await orgAccessChecks.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.via), v.value]));
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const round2 = (n: number) => Math.round(n * 100) / 100;

function describeAccess(row: AuthBenchRow): string {
  const entries = Object.entries(row.orgAccessPerRequest ?? {});
  return entries.length === 0 ? 'with no check' : entries.map(([via, n]) => `${n}× via ${via}`).join(', ');
}

function formatTable(rows: readonly AuthBenchRow[]): string {
  const lines = ['| measurement | p50 ms | p99 ms | overhead p50 ms | overhead p99 ms |', '|---|---:|---:|---:|---:|'];
  for (const r of rows) {
    const overhead = (n: number | null) => (n === null ? '' : `${n >= 0 ? '+' : ''}${fmt(n, 3)}`);
    lines.push(`| ${r.label} | ${fmt(r.p50Ms, 3)} | ${fmt(r.p99Ms, 3)} | ${overhead(r.overheadP50Ms)} | ${overhead(r.overheadP99Ms)} |`);
  }
  return lines.join('\n');
}
