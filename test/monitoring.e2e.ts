import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createLogger } from '#adapters';
import { startTestApp, type TestApp } from './support/app.js';

type Line = Record<string, unknown> & { msg: string };

// A short statement timeout so the cancelled read answers within the test; a limit of one statement
// per request so an ordinary authenticated read (membership, then the list) crosses it.
const STATEMENT_TIMEOUT_MS = 1000;
const lines: Line[] = [];
let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp({
    logger: createLogger('test', 'warn', { write: (line: string) => void lines.push(JSON.parse(line) as Line) }),
    config: { queryMonitoring: { statementTimeoutMs: STATEMENT_TIMEOUT_MS, slowQueryMs: 60_000, maxQueriesPerRequest: 1 } },
  });
  token = await app.token({ org: 'watched' });
  const created = await app.request('POST', '/v1/orgs/watched/workspaces', { token, body: { name: 'docs' } });
  expect(created.status).toBe(201);
  // Read once at its position, so later reads need no wait for the projector.
  expect((await app.request('GET', `/v1/orgs/watched/workspaces?minPosition=${created.body.position}`, { token })).status).toBe(200);
});

afterAll(async () => {
  await app?.close();
});

const linesOf = (requestId: string) => lines.filter((line) => line.requestId === requestId);

describe('statements per request', () => {
  it('logs one warning, with the route and the count, for a request issuing more statements than the limit', async () => {
    const response = await app.request('GET', '/v1/orgs/watched/workspaces', { token, headers: { 'x-request-id': 'req-over-limit' } });
    expect(response.status).toBe(200);
    const warnings = linesOf('req-over-limit').filter((line) => /database statements/.test(line.msg));
    expect(warnings).toEqual([
      expect.objectContaining({ level: 40, method: 'GET', route: '/v1/orgs/:org/workspaces', limit: 1, queries: expect.any(Number) }),
    ]);
    expect(warnings[0]!.queries).toBeGreaterThan(1);

    const metrics = String((await app.request('GET', '/metrics')).body);
    expect(metrics).toMatch(/^db_queries_per_request_count\{route="\/v1\/orgs\/:org\/workspaces"\} [1-9]/m);
    expect(metrics).toMatch(/^db_query_duration_seconds_count\{pool="read_models",statement="WorkspaceQueries\.list"\} [1-9]/m);
  });

  it('does not warn about the health and metrics endpoints, which read every projection by design', async () => {
    for (const path of ['/health/ready', '/metrics']) {
      const response = await app.request('GET', path, { headers: { 'x-request-id': `req-ops-${path.slice(1, 7)}` } });
      expect(response.status).toBe(200);
    }
    expect(lines.filter((line) => String(line.requestId).startsWith('req-ops-') && /database statements/.test(line.msg))).toEqual([]);
  });
});

describe('the statement timeout', () => {
  it('cancels a read held past API_STATEMENT_TIMEOUT_MS and answers 503 query_timeout with Retry-After', async () => {
    // A lock that blocks every read of the workspaces read model until the test lets go.
    const holder = new pg.Client({ connectionString: app.database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE workspaces IN ACCESS EXCLUSIVE MODE');
      const response = await app.request('GET', '/v1/orgs/watched/workspaces', { token, headers: { 'x-request-id': 'req-timeout' } });
      expect({ status: response.status, code: response.body?.error?.code, retryAfter: response.headers.get('retry-after') }).toEqual({
        status: 503,
        code: 'query_timeout',
        retryAfter: '5',
      });
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    expect(linesOf('req-timeout')).toContainEqual(
      expect.objectContaining({
        msg: 'statement cancelled: it ran past statement_timeout',
        pool: 'read_models',
        statement: 'WorkspaceQueries.list',
      }),
    );
    expect(String((await app.request('GET', '/metrics')).body)).toMatch(
      /^db_statement_timeouts_total\{pool="read_models",statement="WorkspaceQueries\.list"\} 1$/m,
    );
  });
});

describe('/metrics', () => {
  it('exports every pool’s connections, process memory, the ingestion queue’s age and dead letters', async () => {
    const metrics = String((await app.request('GET', '/metrics')).body);
    for (const pool of ['read_models', 'projector', 'event_store']) {
      for (const state of ['total', 'idle', 'waiting'])
        expect(metrics).toMatch(new RegExp(`^db_pool_connections\\{pool="${pool}",state="${state}"\\} \\d+$`, 'm'));
    }
    for (const series of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_external_memory_bytes',
    ])
      expect(metrics).toMatch(new RegExp(`^${series} \\d+`, 'm'));
    expect(metrics).toMatch(/^reactor_ingestion_queue_age_seconds\{kind="jobs"\} 0$/m);
    expect(metrics).toMatch(/^projector_dead_letters\{projection="workspaces"\} 0$/m);
  });
});
