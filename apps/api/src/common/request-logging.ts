import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RequestQueries, countingQueries, dbQueriesPerRequest, httpRequestDuration, type Logger } from '#adapters';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Operational routes: /metrics and the operator console's projection list read every projection's
 * status (and rebuild stream), by design more than a few statements.
 */
const OPERATIONAL = /^\/(health|metrics|v1\/operator\/projections$)(\/|$)/;

/**
 * A request id on every request (the caller's `X-Request-Id` when well-formed), echoed in the
 * response and in the request's log line, and a duration histogram per route template. One concise
 * line per request at info (method, route template, status, milliseconds, request id; 5xx at
 * error; health probes not logged); the URL, query and headers (secrets redacted) only at debug.
 * The statements the request issues are counted (`db_queries_per_request`); more than
 * `maxQueriesPerRequest` (0: no limit) logs one warning with the route and the count, the sign of a
 * query per item (N+1).
 */
export function installRequestLogging(
  app: INestApplication,
  logger: Logger,
  options: { readonly maxQueriesPerRequest?: number } = {},
): void {
  const maxQueries = options.maxQueriesPerRequest ?? 10;
  app.use((request: Request, response: Response, next: NextFunction) => {
    const given = request.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    request.headers['x-request-id'] = id;
    response.setHeader('X-Request-Id', id);
    const started = performance.now();
    const stop = httpRequestDuration.startTimer();
    const queries = new RequestQueries(id);
    response.on('finish', () => {
      const route = `${request.baseUrl ?? ''}${(request.route as { path?: string } | undefined)?.path ?? 'unmatched'}`;
      const status = response.statusCode;
      stop({ method: request.method, route, status: String(status) });
      dbQueriesPerRequest.observe({ route }, queries.count);
      if (!HEALTH.test(request.path)) logRequest(logger, request, response, { id, route, status, ms: performance.now() - started });
      if (maxQueries > 0 && queries.count > maxQueries && !OPERATIONAL.test(route)) {
        logger.warn(
          { requestId: id, method: request.method, route, queries: queries.count, limit: maxQueries },
          `request issued ${queries.count} database statements (more than ${maxQueries}): a query per item?`,
        );
      }
    });
    countingQueries(queries, next);
  });
}

const HEALTH = /^\/health(\/|$)/;

function logRequest(
  logger: Logger,
  request: Request,
  response: Response,
  { id, route, status, ms }: { id: string; route: string; status: number; ms: number },
): void {
  const level = status >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const rounded = Math.round(ms * 10) / 10;
  const line = { requestId: id, method: request.method, route, status, ms: rounded };
  const message = `${request.method} ${route} ${status} ${rounded} ms`;
  if (!logger.isLevelEnabled('debug')) return logger[level](line, message);
  // Debug: what was asked and answered; the logger's redaction hides credentials in `req.headers`.
  logger[level](
    {
      ...line,
      req: { url: redactQuery(request.originalUrl), query: redactParams(request.query), headers: request.headers },
      res: { headers: response.getHeaders() },
    },
    message,
  );
}

const SECRET_QUERY_PARAMETERS = new Set(['code', 'state', 'token', 'key']);

/** The parsed query the standard serializer also logs, with the same names hidden. */
function redactParams(query: Request['query'] | undefined): Record<string, unknown> | undefined {
  if (!query) return query;
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [name, SECRET_QUERY_PARAMETERS.has(name.toLowerCase()) ? '[redacted]' : value]),
  );
}

/** OAuth codes and signed states travel in query strings; they must not reach the logs. */
export function redactQuery(url: string | undefined): string | undefined {
  if (!url || !url.includes('?')) return url;
  const [path, query] = url.split('?', 2) as [string, string];
  const params = new URLSearchParams(query);
  for (const name of [...params.keys()]) if (SECRET_QUERY_PARAMETERS.has(name.toLowerCase())) params.set(name, '[redacted]');
  return `${path}?${params.toString()}`;
}
