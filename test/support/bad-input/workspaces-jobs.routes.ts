import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { WORKSPACE_NAME_PATTERN, jobDecider, jobStreamId } from '#domain';
import { handleCommand } from '#event-store';
import { localOrganizationId } from '#adapters';
import { ORG, USER, WS, unique, type BadInputFixture } from './bad-input.fixture.js';
import { routesOf, type Route } from './route.js';
import { field, notABoolean, notAnArray, notAnObject, stringField, type FieldRule } from './values.arbitraries.js';

// WorkspaceNameBody
const workspaceName = stringField('name', true, (s) => WORKSPACE_NAME_PATTERN.test(s), [
  fc.constantFrom('.', '..', 'a b', 'ws/1', 'ws%', 'x'.repeat(101)),
]);

// UpdateWorkspaceBody: a name, settings, or both (null is a 400 for either)
const newWorkspaceName = stringField('name', false, (s) => WORKSPACE_NAME_PATTERN.test(s), [
  fc.constantFrom(null, '.', '..', 'a b', 'ws/1', 'ws%', 'x'.repeat(101)),
]);
// UpdateWorkspaceBody.settings (WorkspaceSettings, checked by workspaceSettingsProblems)
const SETTINGS: FieldRule[] = [
  field('repositories', false, notAnObject({ optional: true })),
  field('defaults', false, notAnObject({ optional: true })),
  field('features', false, notAnObject({ optional: true })),
];
const FEATURES: FieldRule[] = [
  field(
    'codeIndexing',
    false,
    notABoolean().filter((v) => v !== null),
  ),
  field(
    'multiLanguage',
    false,
    notABoolean().filter((v) => v !== null),
  ),
];
const DEFAULTS: FieldRule[] = [
  field(
    'patterns',
    false,
    notAnArray().filter((v) => v !== null),
  ),
  field(
    'ignore',
    false,
    notAnArray().filter((v) => v !== null),
  ),
];
const validSettings = () => ({ features: { codeIndexing: true, multiLanguage: false }, defaults: { patterns: [`docs/${unique()}/**`] } });

export function workspaceAndJobRoutes(fixture: BadInputFixture): Route[] {
  const route = routesOf(fixture);
  return [
    route('POST', '/v1/orgs/:org/workspaces', {
      params: () => ({ org: ORG }),
      body: { fields: [workspaceName], valid: () => ({ name: `new-ws-${unique()}` }) },
    }),
    route('PATCH', '/v1/orgs/:org/workspaces/:ws', {
      // A workspace of its own per case: a wrongly accepted rename must not make the next case a 404.
      prepare: async () => {
        const name = `rn-${unique()}`;
        const created = await fixture.app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token: fixture.token, body: { name } });
        if (created.status !== 201) throw new Error(`fixture: workspace creation answered ${created.status}`);
        return { params: { org: ORG, ws: name }, token: fixture.token };
      },
      body: {
        fields: [newWorkspaceName, field('settings', false, fc.oneof(notAnObject({ optional: true }), fc.constant(null)))],
        valid: () => ({ name: `renamed-${unique()}`, settings: validSettings() }),
        nested: [
          {
            at: 'settings',
            fields: SETTINGS,
            valid: validSettings,
            put: (value) => ({ name: `renamed-${unique()}`, settings: value }),
          },
          {
            at: 'settings.features',
            fields: FEATURES,
            valid: () => validSettings().features,
            put: (value) => ({ name: `renamed-${unique()}`, settings: { ...validSettings(), features: value } }),
          },
          {
            at: 'settings.defaults',
            fields: DEFAULTS,
            valid: () => validSettings().defaults,
            put: (value) => ({ name: `renamed-${unique()}`, settings: { ...validSettings(), defaults: value } }),
          },
        ],
      },
    }),
    route('POST', '/v1/orgs/:org/workspaces/:ws/jobs/:jobId/cancel', {
      // No route queues jobs: a fresh queued job per case, through the command path.
      prepare: async () => {
        const jobId = randomUUID();
        const data = {
          jobId,
          organizationId: localOrganizationId(ORG),
          workspaceId: fixture.workspaceId,
          repositoryId: null,
          name: 'reindex',
          trigger: 'manual' as const,
          triggeredBy: USER,
          input: {},
          at: new Date().toISOString(),
        };
        await handleCommand(
          fixture.app.runtime.store,
          jobStreamId(jobId),
          jobDecider,
          { type: 'QueueJob', data },
          { commandId: randomUUID() },
        );
        return { params: { org: ORG, ws: WS, jobId }, token: fixture.token };
      },
    }),
  ];
}
