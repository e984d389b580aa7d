import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import { RequestQueries, countingQueries, dbQueriesPerRequest, httpRequestDuration, type Logger } from '#adapters';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Operational routes: /metrics reads every projection's status, by design more than a few statements. */
const OPERATIONAL = /^\/(health|metrics)(\/|$)/;

/**
 * A request id on every request (the caller's `X-Request-Id` when well-formed), echoed in the
 * response, in every log line of the request, and a duration histogram per route template. The
 * statements the request issues are counted (`db_queries_per_request`); more than
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
    const stop = httpRequestDuration.startTimer();
    const queries = new RequestQueries(id);
    response.on('finish', () => {
      const route = `${request.baseUrl ?? ''}${(request.route as { path?: string } | undefined)?.path ?? 'unmatched'}`;
      stop({ method: request.method, route, status: String(response.statusCode) });
      dbQueriesPerRequest.observe({ route }, queries.count);
      if (maxQueries > 0 && queries.count > maxQueries && !OPERATIONAL.test(route)) {
        logger.warn(
          { requestId: id, method: request.method, route, queries: queries.count, limit: maxQueries },
          `request issued ${queries.count} database statements (more than ${maxQueries}): a query per item?`,
        );
      }
    });
    countingQueries(queries, next);
  });
  app.use(
    pinoHttp({
      logger,
      genReqId: (request) => request.headers['x-request-id'] as string,
      autoLogging: { ignore: (request) => request.url?.startsWith('/health') ?? false },
      serializers: {
        req: (request: { url?: string; query?: Record<string, unknown> }) => ({
          ...request,
          url: redactQuery(request.url),
          query: redactParams(request.query),
        }),
      },
    }),
  );
}

const SECRET_QUERY_PARAMETERS = new Set(['code', 'state', 'token', 'key']);

/** The parsed query the standard serializer also logs, with the same names hidden. */
function redactParams(query: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
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
