import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { EventStore } from '#event-store';
import { metricsRegistry, type Logger } from '#adapters';
import { projectionStatus } from '#runtime';
import type { ProjectionRunner } from './projection-runner.js';

export interface ProjectorHealthOptions {
  readonly host: string;
  /** 0: any free port (tests); the listening URL is returned. */
  readonly port: number;
  readonly runners: readonly Pick<ProjectionRunner, 'name' | 'state'>[];
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** `METRICS_TOKEN`, as on the api: when set, /metrics requires `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
}

export interface ProjectorHealthServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Running or standing by (another process holds the projection's lock) are both healthy. */
const HEALTHY_STATES = new Set(['running', 'standby']);
const DATABASE_PROBE_MS = 3_000;

/**
 * The projector daemon's /health/live, /health/ready and /metrics, on plain node:http: the daemon has
 * no other HTTP to serve, and a probe must keep answering while the event loop is busy applying.
 * Ready: the read-model database answers and every projection runs or stands by ('starting' is not
 * yet ready; 'needs-replay' and 'stopped' are not ready until an operator acts).
 */
export async function startProjectorHealthServer(options: ProjectorHealthOptions): Promise<ProjectorHealthServer> {
  const server = createServer((request, response) => {
    void route(options, request, response).catch((error: unknown) => {
      options.logger.warn({ err: error, path: request.url }, 'projector health endpoint failed');
      if (!response.headersSent) send(response, 500, { error: { code: 'internal_error', message: 'internal error' } });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(options: ProjectorHealthOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://projector').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, 405, { error: { code: 'method_not_allowed', message: `${request.method} is not allowed; use GET` } });
  }
  if (path === '/health/live') return send(response, 200, { status: 'ok' });
  if (path === '/health/ready') return ready(options, response);
  if (path === '/metrics') return metrics(options, request, response);
  send(response, 404, { error: { code: 'not_found', message: 'GET /health/live, /health/ready or /metrics' } });
}

async function ready(options: ProjectorHealthOptions, response: ServerResponse): Promise<void> {
  const projections = Object.fromEntries(options.runners.map((runner) => [runner.name, runner.state]));
  let database: 'ok' | 'down' = 'ok';
  let timer: NodeJS.Timeout | undefined;
  try {
    // Bounded: with every pooled connection busy the probe answers "down" rather than hang past the checker's timeout.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no database answer within ${DATABASE_PROBE_MS} ms`)), DATABASE_PROBE_MS);
    });
    await Promise.race([options.pool.query('SELECT 1'), timeout]);
  } catch (error) {
    // Why, for the log; the probe only learns which dependency is down (a driver's message can name hosts and users).
    options.logger.warn({ err: error, dependency: 'database' }, 'projector readiness: dependency down');
    database = 'down';
  } finally {
    clearTimeout(timer);
  }
  const isReady = database === 'ok' && options.runners.length > 0 && options.runners.every((runner) => HEALTHY_STATES.has(runner.state));
  send(response, isReady ? 200 : 503, { status: isReady ? 'ready' : 'not_ready', checks: { database, projections } });
}

async function metrics(options: ProjectorHealthOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!tokenAccepted(options.metricsToken, request.headers.authorization)) {
    return send(response, 401, { error: { code: 'unauthenticated', message: '/metrics requires Authorization: Bearer <METRICS_TOKEN>' } });
  }
  await projectionStatus(options.store, options.pool).catch(() => undefined); // refresh the lag gauges; a down database still serves the rest
  const body = await metricsRegistry.metrics();
  response.writeHead(200, { 'Content-Type': metricsRegistry.contentType, 'Cache-Control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : body);
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** As the api's: SHA-256 digests compared with timingSafeEqual, so timing tells nothing about the token. */
function tokenAccepted(expected: string | undefined, authorization: string | undefined): boolean {
  if (expected === undefined) return true;
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(expected));
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : JSON.stringify(body));
}
