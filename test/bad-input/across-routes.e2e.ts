import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { dot, show, withProperties, type BadCase } from '../support/bad-input/bad-case.js';
import { RUNS_PER_ROUTE, assertProperty, reportCasesRun } from '../support/bad-input/bad-input.check.js';
import { EVERY_ROUTE } from '../support/bad-input/bad-input.describe.js';
import { useBadInputFixture } from '../support/bad-input/bad-input.fixture.js';
import { allRoutes, commandRoutesInControllers } from '../support/bad-input/all.routes.js';
import { PROTOTYPE_KEYS } from '../support/bad-input/body-cases.arbitraries.js';
import { nulCases } from '../support/bad-input/request-cases.arbitraries.js';
import { jsonish } from '../support/bad-input/values.arbitraries.js';
import { validSyncConfig } from '../support/bad-input/workspace-integrations.routes.js';

/**
 * Property-based bad input for every command route (issue 4, "Security tests").
 *
 * Every POST/PUT/PATCH/DELETE route under `apps/api/src` except the signed webhooks
 * (`POST /v1/webhooks/clerk` and `POST /v1/webhooks/github`, answered by signature, not by a DTO):
 *
 *   POST   /v1/orgs                                                  CreateOrganizationBody
 *   PATCH  /v1/orgs/:org                                             RenameOrganizationBody (admin)
 *   POST   /v1/orgs/:org/members/from-github                         AddMemberFromGitHubBody (admin)
 *   POST   /v1/orgs/:org/workspaces                                  WorkspaceNameBody
 *   PATCH  /v1/orgs/:org/workspaces/:ws                              UpdateWorkspaceBody (settings: admin)
 *   POST   /v1/orgs/:org/workspaces/:ws/jobs/:jobId/cancel           no body
 *   POST   /v1/orgs/:org/workspaces/:ws/integrations                 ConnectResourceBody (+ SyncConfigInput), ?minPosition
 *   DELETE /v1/orgs/:org/workspaces/:ws/integrations/:resourceId     no body, ?minPosition
 *   DELETE /v1/orgs/:org/workspaces/:ws/sources/:id                  no body, ?minPosition
 *   POST   /v1/orgs/:org/repositories                                ConnectRepositoryBody
 *   PATCH  /v1/orgs/:org/repositories/:id                            UpdateRepositoryBody (admin), ?minPosition
 *   POST   /v1/orgs/:org/repositories/:id/detect-config              no body, ?minPosition
 *   POST   /v1/orgs/:org/repositories/:id/reindex                    no body, ?minPosition
 *   POST   /v1/me/api-keys                                           CreateApiKeyBody
 *   POST   /v1/me/api-keys/:id/revoke                                no body
 *   DELETE /v1/me/api-keys/:id                                       no body
 *   POST   /v1/me/api-keys/:id/rotate                                RotateApiKeyBody (optional)
 *   POST   /v1/me/integrations/github/validate                       no body
 *   DELETE /v1/me/integrations/:id                                   no body
 *   POST   /v1/me/integrations/:id/resources                         CreateResourcesBody (+ ResourceInput)
 *   PUT    /v1/orgs/:org/workspaces/:ws/stores/:slug                 EnsureStoreBody (optional)
 *   POST   /v1/contents                                              ContentsBody (API key + X-Workspace-ID)
 *   POST   /v1/search                                                SearchBody (+ SearchFilters; API key + X-Workspace-ID)
 *
 * The routes are listed by area in test/support/bad-input/*.routes.ts; each area's file here runs
 * its routes' properties. The first test below re-reads the controllers and fails when a command
 * route is added and not listed.
 *
 * Each case is a request that would succeed (and, for most routes, append) but for one kind of
 * violation, generated from the route's DTO rules (the validators' own patterns and checks are
 * used to filter out values that happen to be valid): a field of the wrong type or breaking its
 * rule, required fields missing, unknown properties, a body that is not JSON or not an object, a
 * JSON body sent as another content type, a path parameter naming nothing (long, odd characters,
 * percent-encoded junk), a bad `?minPosition=`, a bad `Idempotency-Key`. Routes whose fixture a
 * wrongly accepted case would consume (a key revoked, a workspace renamed, …) get a fresh one per
 * case, so one accepted case cannot hide the next. Every case must answer 4xx (never 5xx) in the
 * `{ error: { code, message, details? } }` shape; a 400 for a wrong field must name it (in
 * `details.fields[].field` or the message) and name no field the case did not break; and
 * `es_events` must not grow.
 *
 * Inputs whose failures share one cause across routes have properties of their own (below), so each cause is reported once and does not mask the rest: U+0000 in strings
 * (PostgreSQL's text and jsonb cannot hold it), JSON nested thousands deep, unknown properties
 * named like an inherited member (`toString`, `constructor`, `__proto__`, …) or `prototype`, and
 * `syncConfig` given as an array.
 *
 * Seeded: `FC_SEED` overrides the seed, `FC_RUNS` the runs per route (default 30).
 */

const fixture = useBadInputFixture();
const routes = allRoutes(fixture);
reportCasesRun(routes);

describe(EVERY_ROUTE, () => {
  it('lists every command route of the API (the signed webhooks aside)', () => {
    const declared = commandRoutesInControllers().filter((r) => !r.includes('/webhooks/'));
    expect(declared.sort()).toEqual(routes.map((r) => r.name).sort());
  });
});

describe('bad input whose failures share one cause across routes', () => {
  const bodyRoutes = routes.filter((r) => r.body);

  // PostgreSQL refuses U+0000 in text ("invalid byte sequence for encoding UTF8: 0x00", 22021) and
  // in jsonb ("unsupported Unicode escape sequence", 22P05): such input can never be stored.
  describe('U+0000 in a string field or a path parameter', () => {
    for (const r of routes) {
      const cases = nulCases(r);
      if (!cases) continue;
      it(r.name, async () => {
        await assertProperty(
          fixture,
          cases.map((c) => [r, c] as const),
          Math.max(6, Math.round(RUNS_PER_ROUTE / 5)),
        );
      });
    }
  });

  it('JSON nested thousands deep, as a field or an unknown property (a recursive transformer overflows the stack)', async () => {
    const cases = fc
      .tuple(fc.constantFrom(...bodyRoutes), fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('array', 'object'), fc.boolean())
      .map(([r, depth, kind, asUnknown]) => {
        const name = asUnknown ? 'nested' : r.body!.fields[0]!.name;
        const c: BadCase = {
          category: 'deep-json',
          what: `${name} = ${kind} nested ${depth} deep`,
          body: { deep: { base: r.body!.valid(), name, depth, kind } },
          fields: [name],
        };
        return [r, c] as const;
      });
    await assertProperty(fixture, cases, 20);
  });

  it('unknown properties named like an inherited member (toString, constructor, __proto__, …) or prototype, at the top level or nested', async () => {
    const cases = fc
      .tuple(fc.constantFrom(...bodyRoutes), fc.constantFrom(...PROTOTYPE_KEYS), jsonish, fc.nat())
      .map(([r, key, value, pick]) => {
        const places = [{ at: '', put: (v: Record<string, unknown>) => v, valid: r.body!.valid }, ...(r.body!.nested ?? [])];
        const place = places[pick % places.length]!;
        const c: BadCase = {
          category: 'prototype-keys',
          what: `unknown ${dot(place.at, key)}: ${show(value)}`,
          body: { json: place.put(withProperties(place.valid(), [[key, value]])) },
          fields: [dot(place.at, key)],
        };
        return [r, c] as const;
      });
    await assertProperty(fixture, cases, 20);
  });

  it('syncConfig given as an array (SyncConfigInput is an object)', async () => {
    const r = routes.find((x) => x.name === 'POST /v1/orgs/:org/workspaces/:ws/integrations')!;
    const element = fc.oneof(
      fc.constant(validSyncConfig()),
      fc.record({ branches: fc.array(fc.constantFrom('dev', 'release'), { maxLength: 2 }), autoSync: fc.boolean() }, { requiredKeys: [] }),
    );
    const cases = fc.array(element, { maxLength: 3 }).map((array) => {
      const c: BadCase = {
        category: 'syncConfig-array',
        what: `syncConfig = ${show(array)}`,
        body: { json: { resourceId: fixture.resourceId, syncConfig: array } },
        fields: ['syncConfig'],
      };
      return [r, c] as const;
    });
    await assertProperty(fixture, cases, 10);
  });
});
