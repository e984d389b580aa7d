import { HttpStatus } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ApiError } from './api-error.js';

/** GitHub caps webhook payloads at 25 MB (and drops larger ones itself); Clerk's are far smaller. */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;
/** Every other route: commands and queries are small; Express's own default. */
export const JSON_BODY_LIMIT = 100 * 1024;
export const WEBHOOK_PATHS = ['/v1/webhooks/github', '/v1/webhooks/clerk'];

/**
 * JSON bodies, with their limit chosen by route: the webhook routes first, the rest after (a parser
 * skips a body already read). Installed instead of Nest's parsers (`bodyParser: false`), which apply
 * one limit everywhere. Every body keeps its bytes in `req.rawBody`, as Nest's `rawBody: true` did:
 * webhook signatures are computed over the exact bytes received. The limit counts decoded bytes,
 * so a compressed body cannot inflate past it. Only JSON is parsed: `requireJsonBodies` has
 * already refused any other content type with 415.
 */
export function installJsonBodyParsers(app: NestExpressApplication): void {
  app.use(WEBHOOK_PATHS, jsonParser(WEBHOOK_BODY_LIMIT));
  app.use(jsonParser(JSON_BODY_LIMIT));
}

function jsonParser(limit: number): RequestHandler {
  const parse = express.json({
    limit,
    verify: (request, _response, buffer) => void ((request as Request & { rawBody?: Buffer }).rawBody = buffer),
  });
  return (request: Request, response: Response, next: NextFunction) =>
    parse(request, response, (error?: unknown) => {
      if ((error as { type?: string } | undefined)?.type === 'entity.too.large') {
        next(
          new ApiError(
            HttpStatus.PAYLOAD_TOO_LARGE,
            'payload_too_large',
            `The request body is larger than this route accepts (${describe(limit)})`,
            { limit },
          ),
        );
        return;
      }
      next(error);
    });
}

const describe = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} kB`);
