import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import { httpRequestDuration, type Logger } from '#adapters';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * A request id on every request (the caller's `X-Request-Id` when well-formed), echoed in the
 * response, in every log line of the request, and a duration histogram per route template.
 */
export function installRequestLogging(app: INestApplication, logger: Logger): void {
  app.use((request: Request, response: Response, next: NextFunction) => {
    const given = request.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    request.headers['x-request-id'] = id;
    response.setHeader('X-Request-Id', id);
    const stop = httpRequestDuration.startTimer();
    response.on('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      stop({ method: request.method, route: `${request.baseUrl ?? ''}${route}`, status: String(response.statusCode) });
    });
    next();
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
