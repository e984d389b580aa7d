import type { NextFunction, Request, Response } from 'express';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A request that carries a body must say it is JSON. Otherwise no parser reads it, the handler
 * sees an empty body, and a command whose fields are all optional (rotating a key) would run
 * with defaults the caller never asked for.
 */
export function requireJsonBodies(request: Request, response: Response, next: NextFunction): void {
  const length = Number(request.headers['content-length'] ?? 0);
  const hasBody = length > 0 || request.headers['transfer-encoding'] !== undefined;
  if (WITH_BODY.has(request.method) && hasBody && !request.is('application/json')) {
    response
      .status(415)
      .json({ error: { code: 'unsupported_media_type', message: 'The request body must be JSON (Content-Type: application/json)' } });
    return;
  }
  next();
}
