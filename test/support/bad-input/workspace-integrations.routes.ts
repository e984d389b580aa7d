import fc from 'fast-check';
import { ORG, WS, resource, type BadInputFixture } from './bad-input.fixture.js';
import { routesOf, type Route } from './route.js';
import { field, notAString, notABoolean, notAnArray, notAnObject, stringField, type FieldRule } from './values.arbitraries.js';

// ConnectResourceBody / SyncConfigInput
const resourceIdField = stringField('resourceId', true, (s) => s.length >= 1 && s.length <= 100);
const stringList = (name: string, maxItems: number, maxLength: number) =>
  field(
    name,
    false,
    fc.oneof(
      notAnArray().filter((v) => v !== null),
      fc.array(fc.oneof(notAString(), fc.constant(''), fc.constant('x'.repeat(maxLength + 1))), { minLength: 1, maxLength: 3 }),
      fc.constant(Array.from({ length: maxItems + 1 }, (_, i) => `item-${i}`)),
    ),
  );
const SYNC_CONFIG: FieldRule[] = [
  stringList('branches', 50, 255),
  stringList('paths', 100, 500),
  stringList('events', 20, 100),
  field(
    'autoSync',
    false,
    notABoolean().filter((v) => v !== null),
  ),
];
export const validSyncConfig = () => ({ branches: ['main'], autoSync: false });

export function workspaceIntegrationRoutes(fixture: BadInputFixture): Route[] {
  const route = routesOf(fixture);
  return [
    route('POST', '/v1/orgs/:org/workspaces/:ws/integrations', {
      params: () => ({ org: ORG, ws: WS }),
      minPosition: true,
      body: {
        fields: [resourceIdField, field('syncConfig', false, notAnObject({ optional: true }))],
        // Another configuration than the connection's: accepted, it would append WorkspaceSyncConfigChanged.
        valid: () => ({ resourceId: fixture.resourceId, syncConfig: validSyncConfig() }),
        nested: [
          {
            at: 'syncConfig',
            fields: SYNC_CONFIG,
            valid: validSyncConfig,
            put: (value) => ({ resourceId: fixture.resourceId, syncConfig: value }),
          },
        ],
      },
    }),
    route('DELETE', '/v1/orgs/:org/workspaces/:ws/integrations/:resourceId', {
      minPosition: true,
      // A freshly connected resource per case.
      prepare: async () => {
        const created = await fixture.app.request('POST', `/v1/me/integrations/${fixture.integrationId}/resources`, {
          token: fixture.token,
          body: { resources: [resource()] },
        });
        const resourceId: string = created.body?.resources?.[0]?.id;
        const connected = await fixture.app.request('POST', `/v1/orgs/${ORG}/workspaces/${WS}/integrations`, {
          token: fixture.token,
          body: { resourceId },
        });
        if (connected.status !== 201) throw new Error(`fixture: connection answered ${connected.status}`);
        return { params: { org: ORG, ws: WS, resourceId }, token: fixture.token };
      },
    }),
    route('DELETE', '/v1/orgs/:org/workspaces/:ws/sources/:id', {
      minPosition: true,
      // A freshly connected resource per case, disconnected through `…/sources`.
      prepare: async () => {
        const created = await fixture.app.request('POST', `/v1/me/integrations/${fixture.integrationId}/resources`, {
          token: fixture.token,
          body: { resources: [resource()] },
        });
        const resourceId: string = created.body?.resources?.[0]?.id;
        const connected = await fixture.app.request('POST', `/v1/orgs/${ORG}/workspaces/${WS}/integrations`, {
          token: fixture.token,
          body: { resourceId },
        });
        if (connected.status !== 201) throw new Error(`fixture: connection answered ${connected.status}`);
        return { params: { org: ORG, ws: WS, id: resourceId }, token: fixture.token };
      },
    }),
  ];
}
