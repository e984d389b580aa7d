import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';

/**
 * `Server-Timing: app;dur=<ms>` on every answer: the time from the request reaching the app to its
 * headers being written, so a client (the bench, a browser's devtools) can tell server work from
 * the network and HTTP parsing. on-headers fires just before the headers go out, whichever way the
 * response is written (json, send, stream, error filter).
 */
export function installServerTiming(app: INestApplication): void {
  app.use((_request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    onHeaders(response, () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      response.setHeader('Server-Timing', `app;dur=${ms.toFixed(3)}`);
    });
    next();
  });
}
