import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { startTestApp, type TestApp } from './support/app.js';

/** The OpenAPI description at `/docs`: public, and in step with the routes the app really serves. */

type Operation = {
  operationId?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: unknown;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
  security: unknown[];
};

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
      content: { 'application/json': { schema: { $ref: '#/components/schemas/SearchBody' } } },
    });
    const schemas = document.components.schemas;
    expect(schemas.SearchBody).toEqual({
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
      'POST /v1/webhooks/clerk',
      'POST /v1/webhooks/github',
    ]);
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
