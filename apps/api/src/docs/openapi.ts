import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Public } from '../auth/auth.guard.js';
import { CommandId } from '../common/command-context.js';
import { RATE_LIMIT } from '../rate-limits/rate-limit.guard.js';
import { WorkspaceKeyAccess } from '../search/workspace-key-access.js';
import { describeOperations, type OperationFacts } from './describe-operations.js';
import { responseSchemas } from './response-schemas.generated.js';
import { describeValidatedProperties } from './validated-properties.js';

const SESSION = 'session';
const API_KEY = 'apiKey';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Access = 'public' | 'key';

/** One tag per area, in the order Swagger UI lists them. */
const TAGS: ReadonlyArray<[string, string]> = [
  ['Organizations', 'Organizations, their members and default workspaces (`organization.*`, `clerk.*`).'],
  ['Workspaces', 'The workspaces of an organization and their settings (`workspace.*`).'],
  ['Analytics', 'Statistics and health of a workspace.'],
  ['Jobs', 'Ingestion jobs of a workspace (`jobs.*`).'],
  ['Repositories', 'GitHub repositories connected to an organization (`repository.*`).'],
  ['Sources', 'What a workspace reads from (`workspace.integrations.*`, `integration.workspace.*`).'],
  ['Stores', 'Document stores of a workspace (`stores.*`).'],
  ['Search', 'Search and contents, with an API key and `X-Workspace-ID` (`search.query`, `contents.fetch`).'],
  ['Integrations', 'The caller’s own integrations and their resources (`account.integrations.*`, `integration.*`).'],
  ['GitHub', 'The GitHub App install and OAuth flows, and the installations an organization owns.'],
  ['API keys', 'The caller’s API keys (`account.apiKeys.*`).'],
  ['Account', 'The caller’s profile.'],
  ['Webhooks', 'Signed deliveries from GitHub and Clerk.'],
  ['Operator', 'The operator console: projections, dead letters, the event log, ingestion (operators only).'],
  ['Operations', 'Probes and metrics.'],
];
type Constructor = new (...args: never[]) => unknown;

/**
 * The OpenAPI description at `/docs/openapi.json` and Swagger UI at `/docs`. Both are plain Express
 * routes, outside Nest's guards: they need no token. The document is built on first request, so
 * an app that nobody asks for its docs (every test) pays nothing for the scan.
 */
export function installOpenApiDocs(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup('docs', app as NestExpressApplication, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: 'docs/openapi.json',
    raw: ['json'],
    customSiteTitle: 'Console API',
  });
}

/** From the controllers' route metadata and DTO classes (no Nest CLI plugin: we build with swc). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Console API')
    .setDescription(
      'Errors are `{ "error": { "code", "message", "details"? } }`. Commands answer with the ids they created and ' +
        '`position`; pass it as `?minPosition=` on a later read to see your own write.',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A session token (Clerk or the local identity provider).' },
      SESSION,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'lf_…',
        description: 'An API key; the key routes also take the workspace in `X-Workspace-ID`.',
      },
      API_KEY,
    )
    .addSecurityRequirements(SESSION);
  for (const [name, description] of TAGS) config.addTag(name, description);
  const { access, facts, dtos } = scanControllers(app);
  for (const dto of dtos) describeValidatedProperties(dto, responseSchemas.dtoDescriptions);
  const document = SwaggerModule.createDocument(app, config.build());
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      const kind = operation?.operationId ? access.get(operation.operationId) : undefined;
      if (!operation || !kind) continue;
      if (kind === 'public') {
        operation.security = [];
      } else {
        operation.security = [{ [API_KEY]: [] }];
        operation.parameters = [
          ...(operation.parameters ?? []),
          {
            name: 'X-Workspace-ID',
            in: 'header',
            required: true,
            description: 'The workspace the key acts in.',
            schema: { type: 'string' },
          },
        ];
      }
    }
  }
  describeOperations(document, facts, responseSchemas);
  return document;
}

/** The factory of `@CommandId()`, found on a probe: a handler that takes it answers to `Idempotency-Key`. */
class CommandIdProbe {
  handle(@CommandId() _context: unknown): void {}
}
const ROUTE_ARGS_METADATA = '__routeArguments__';
const routeArgumentFactories = (target: Constructor, name: string): unknown[] =>
  Object.values((Reflect.getMetadata(ROUTE_ARGS_METADATA, target, name) as Record<string, { factory?: unknown }> | undefined) ?? {}).map(
    (argument) => argument.factory,
  );
const [commandIdFactory] = routeArgumentFactories(CommandIdProbe, 'handle');

/**
 * `access`: operation ids (swagger's default `Controller_method`) whose access is not a session:
 * `@Public()` handlers, and the handlers of controllers that resolve their workspace through
 * `WorkspaceKeyAccess`, which only API keys pass. `dtos`: the classes handlers take as arguments.
 */
function scanControllers(app: INestApplication): {
  access: Map<string, Access>;
  facts: Map<string, OperationFacts>;
  dtos: Set<Constructor>;
} {
  const publicKey = Public().KEY;
  const access = new Map<string, Access>();
  const facts = new Map<string, OperationFacts>();
  const dtos = new Set<Constructor>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Constructor | null;
      if (!controller) continue;
      const keyScoped = ((Reflect.getMetadata('design:paramtypes', controller) as unknown[] | undefined) ?? []).includes(
        WorkspaceKeyAccess,
      );
      const classPublic = Reflect.getMetadata(publicKey, controller) === true;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        if (name === 'constructor') continue;
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        for (const type of (Reflect.getMetadata('design:paramtypes', controller.prototype, name) as unknown[] | undefined) ?? []) {
          if (typeof type === 'function' && type.prototype !== undefined && type !== Object) dtos.add(type as Constructor);
        }
        const id = `${controller.name}_${name}`;
        if (classPublic || Reflect.getMetadata(publicKey, handler) === true) access.set(id, 'public');
        else if (keyScoped) access.set(id, 'key');
        facts.set(id, {
          access: access.get(id) ?? 'session',
          command: routeArgumentFactories(controller, name).includes(commandIdFactory),
          rateLimited: Reflect.getMetadata(RATE_LIMIT, handler) !== undefined,
        });
      }
    }
  }
  return { access, facts, dtos };
}
