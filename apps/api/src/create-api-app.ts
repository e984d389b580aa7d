import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { ApiModule } from './app.module.js';
import { installJsonBodyParsers } from './common/body-parsers.js';
import { ErrorFilter } from './common/error.filter.js';
import { installRequestLogging } from './common/request-logging.js';
import { installServerTiming } from './common/server-timing.js';
import { InputGuardPipe } from './common/input-guard.pipe.js';
import { requireJsonBodies } from './common/require-json-bodies.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { installConsole } from './console/console-assets.js';
import { installOpenApiDocs } from './docs/openapi.js';
import type { Runtime } from '#runtime';

/** The configured Nest application, not yet listening (tests call `listen(0)`). */
export async function createApiApp(runtime: Runtime): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRuntime(runtime), {
    logger: ['error', 'warn'],
    bufferLogs: false,
    // Our own JSON parsers (installJsonBodyParsers): a limit per route, `req.rawBody` kept.
    bodyParser: false,
    // Literal segments before parameters, whatever the module order: `/orgs/{org}/workspaces/default`
    // before `/orgs/{org}/workspaces/{ws}`, `/orgs/by-id/…` before `/orgs/{org}/…`.
    routeResolutionStrategy: 'specificity',
  });
  app.set('query parser', 'simple'); // no nested objects from query strings: ?a[b]=c stays a string key
  // Security headers on every answer, errors and docs included; X-Powered-By only names our stack to a scanner.
  app.disable('x-powered-by');
  installServerTiming(app); // first, so its time covers everything the app does with the request
  app.use(helmet());
  installRequestLogging(app, runtime.logger, runtime.config.queryMonitoring);
  app.use(requireJsonBodies);
  installJsonBodyParsers(app);
  // Per-address rate limits count the client, not a load balancer in front of it.
  if (runtime.config.trustProxy !== undefined) app.set('trust proxy', runtime.config.trustProxy);
  app.useGlobalPipes(new InputGuardPipe(), createValidationPipe());
  app.useGlobalFilters(new ErrorFilter(runtime.logger));
  installOpenApiDocs(app);
  installConsole(app);
  // No `enableShutdownHooks()`: every entry point closes the app itself (`onShutdown`), in order
  // with the projector, the reactors and the embedded database. Nest's hooks would re-raise the
  // signal after closing, which our handler takes for a second Ctrl-C and exits before the rest.
  return app;
}
