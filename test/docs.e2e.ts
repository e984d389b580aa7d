import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { startTestApp, type TestApp } from './support/app.js';

/** The OpenAPI description at `/docs`: public, and in step with the routes the app really serves. */

type MediaType = { schema?: { $ref?: string } & Record<string, unknown>; example?: unknown };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content?: Record<string, MediaType> };
  responses: Record<string, { $ref?: string; description?: string; content?: Record<string, MediaType> }>;
};
type Document = {
  openapi: string;
  tags: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, unknown>;
    responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
  };
  security: unknown[];
};

/**
 * Operations whose success is not one JSON body, so none is documented (their 2xx and 3xx are
 * described in words): the browser arrives from GitHub and is redirected back to the console
 * (302) when `GITHUB_OAUTH_RETURN_URL` is set, or gets JSON written by the handler without it.
 */
const NO_SUCCESS_SCHEMA: Record<string, string> = {
  'GET /v1/github/callback': 'redirect to the console, or JSON written by hand without a return URL',
  'GET /v1/github/setup': 'redirect to the console, or JSON written by hand without a return URL',
};
/** Error responses whose body is not `ErrorBody`: readiness answers 503 with the body it answers 200 with. */
const OWN_ERROR_BODY: Record<string, string> = {
  'GET /health/ready 503': 'the readiness body, `status: not_ready`',
};
const ERROR_REF = '#/components/schemas/ErrorBody';

let app: TestApp;
let document: Document;

beforeAll(async () => {
  app = await startTestApp({ projector: false });
  const response = await app.request('GET', '/docs/openapi.json');
  expect(response.status).toBe(200);
  document = response.body as Document;
});

afterAll(async () => {
  await app?.close();
});

/** `METHOD /path` of every route in the Express router, as authorization-matrix.e2e.ts reads them. */
async function servedRoutes(): Promise<string[]> {
  const nest: INestApplication = await createApiApp(app.runtime);
  await nest.init();
  try {
    const express = nest.getHttpAdapter().getInstance() as { router?: { stack: unknown[] }; _router?: { stack: unknown[] } };
    const stack = (express.router ?? express._router)!.stack as Array<{
      route?: { path: string | string[]; methods: Record<string, boolean> };
    }>;
    return stack
      .filter((layer) => layer.route)
      .flatMap(({ route }) =>
        Object.keys(route!.methods)
          .filter((m) => route!.methods[m] && m !== '_all')
          .flatMap((m) => (Array.isArray(route!.path) ? route!.path : [route!.path]).map((p) => `${m.toUpperCase()} ${p}`)),
      );
  } finally {
    await nest.close();
  }
}

const documented = () =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

describe('GET /docs', () => {
  it('serves an OpenAPI 3 document without a token', async () => {
    const response = await app.request('GET', '/docs/openapi.json');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(document.openapi).toMatch(/^3\./);
  });

  // Not in the comparison: `/docs` itself (Swagger UI and this document), and what is middleware
  // rather than a route (`app.use`, so not in the router's route layers): the operator console's
  // static files under `/console/` and the HTML/JSON pointer at `GET /`. None of them is a JSON API.
  it('describes every route the app serves, and none it does not', async () => {
    const served = (await servedRoutes())
      .filter((route) => !/^[A-Z]+ \/docs(\/|$)/.test(route))
      .map((route) => route.replace(/:(\w+)/g, '{$1}'));
    expect(served.length).toBeGreaterThan(0);
    expect(documented().sort()).toEqual([...new Set(served)].sort());
  });

  it('declares every path parameter of every operation', () => {
    const missing = operations().flatMap(({ path, method, operation }) =>
      [...path.matchAll(/\{(\w+)\}/g)]
        .map((m) => m[1]!)
        .filter((name) => !operation.parameters?.some((p) => p.in === 'path' && p.name === name))
        .map((name) => `${method.toUpperCase()} ${path}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('describes request bodies and query parameters from the class-validator DTOs', () => {
    expect(document.paths['/v1/search']!.post!.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/SearchBody' }, example: expect.anything() } },
    });
    const schemas = document.components.schemas;
    // A subset: the search body grows (its other options are the search tests' concern).
    expect(schemas.SearchBody).toMatchObject({
      type: 'object',
      properties: {
        query: { type: 'string' },
        topK: { type: 'integer' },
        filters: { $ref: '#/components/schemas/SearchFilters' },
        includeHighlights: { type: 'boolean' },
      },
      required: ['query'],
    });
    expect(schemas.SearchFilters).toEqual({
      type: 'object',
      properties: { labels: { type: 'array', items: { type: 'string' } } },
      required: ['labels'],
    });
    const listJobs = document.paths['/v1/orgs/{org}/workspaces/{ws}/jobs']!.get!.parameters!;
    expect(listJobs).toContainEqual(
      expect.objectContaining({
        name: 'status',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'string', enum: expect.arrayContaining(['queued', 'failed']) }),
      }),
    );
    expect(listJobs).toContainEqual(expect.objectContaining({ name: 'minPosition', in: 'query', required: false }));
  });

  it('documents sessions as the default, API keys with X-Workspace-ID on the key routes, and the public routes', () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['apiKey', 'session']);
    expect(document.security).toEqual([{ session: [] }]);
    const keyRoutes = operations().filter(({ operation }) => operation.security?.some((s) => Object.keys(s as object).includes('apiKey')));
    expect(keyRoutes.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual(['POST /v1/contents', 'POST /v1/search']);
    for (const { operation } of keyRoutes) {
      expect(operation.parameters).toContainEqual(expect.objectContaining({ name: 'X-Workspace-ID', in: 'header', required: true }));
    }
    const publicRoutes = operations().filter(({ operation }) => operation.security?.length === 0);
    expect(publicRoutes.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual([
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'GET /v1/github/callback',
      'GET /v1/github/setup',
      'POST /v1/console/sessions',
      'POST /v1/webhooks/clerk',
      'POST /v1/webhooks/github',
    ]);
  });

  it('is a valid OpenAPI 3 document, every $ref resolving (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.0');
    expect(() => validator.resolveRefs()).not.toThrow();
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((name) => !(name in document.components.schemas))).toEqual([]);
  });

  it('gives every operation a summary and a tag the document lists', () => {
    const listed = new Set(document.tags.map((t) => t.name));
    const missing = operations()
      .filter(({ operation }) => !operation.summary?.trim() || !operation.tags?.length || !operation.tags.every((t) => listed.has(t)))
      .map(
        ({ method, path, operation }) =>
          `${method.toUpperCase()} ${path}: ${operation.summary ?? 'no summary'} ${JSON.stringify(operation.tags)}`,
      );
    expect(missing).toEqual([]);
  });

  it('documents the success body of every operation, with an example', () => {
    const missing = operations()
      .filter(({ method, path }) => !(`${method.toUpperCase()} ${path}` in NO_SUCCESS_SCHEMA))
      .filter(({ operation }) => {
        const successes = Object.entries(operation.responses).filter(([status]) => /^2/.test(status) && status !== '204');
        return (
          successes.length === 0 ||
          !successes.every(([, r]) => Object.values(r.content ?? {}).some((m) => m.schema !== undefined && m.example !== undefined))
        );
      })
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(missing).toEqual([]);
    const api = (id: string) => operations().find(({ operation }) => operation.operationId === id)!.operation;
    expect(api('JobsController_list').responses['200']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/JobPage',
    });
    expect(document.components.schemas.JobPage).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['items', 'nextCursor', 'hasMore']),
    });
    expect(api('ApiKeysController_create').responses['201']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/CreatedApiKey',
    });
    expect(document.components.schemas.CreatedApiKey).toMatchObject({
      properties: { key: { type: 'string', nullable: true }, position: { type: 'string', nullable: true } },
    });
  });

  it('answers every error with the one ErrorBody schema, with an example; authenticated routes list 401, 403 and 429', () => {
    expect(document.components.schemas.ErrorBody).toMatchObject({
      properties: { error: { type: 'object', required: ['code', 'message'] } },
      required: ['error'],
    });
    const problems = operations().flatMap(({ method, path, operation }) => {
      const route = `${method.toUpperCase()} ${path}`;
      const errors = Object.entries(operation.responses)
        .filter(([status]) => /^[45]/.test(status))
        .map(([status, r]) => [status, r.$ref ? document.components.responses[r.$ref.replace('#/components/responses/', '')] : r] as const);
      const wrong = errors
        .filter(([status]) => !(`${route} ${status}` in OWN_ERROR_BODY))
        .filter(
          ([, r]) => r?.content?.['application/json']?.schema?.$ref !== ERROR_REF || r.content['application/json'].example === undefined,
        )
        .map(([status]) => `${route}: ${status} is not an ErrorBody with an example`);
      const needed = operation.security?.length === 0 ? [] : ['401', '403', '429', '503'];
      const absent = needed.filter((s) => !errors.some(([status]) => status === s)).map((s) => `${route}: no ${s}`);
      return [...wrong, ...absent];
    });
    expect(problems).toEqual([]);
  });

  it('describes every parameter', () => {
    const undescribed = operations().flatMap(({ method, path, operation }) =>
      (operation.parameters ?? []).filter((p) => !p.description?.trim()).map((p) => `${method.toUpperCase()} ${path}: ${p.in} ${p.name}`),
    );
    expect(undescribed).toEqual([]);
  });

  it('serves Swagger UI without a token, with its assets', async () => {
    const page = await fetch(`${app.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    const init = await fetch(`${app.baseUrl}/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('/v1/contents');
    const bundle = await fetch(`${app.baseUrl}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
  });
});
