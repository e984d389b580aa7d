import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { GITHUB_ID_PATTERN, MAX_RESOURCES_PER_REQUEST, REPO_FULL_NAME_PATTERN } from '#domain';
import { installationPayload } from '#testing';
import { StoreGitHubOAuthResultCommand } from '../../../apps/api/src/integrations/store-github-oauth-result.handler.js';
import { ORG, resource, unique, type BadInputFixture } from './bad-input.fixture.js';
import { routesOf, type Route } from './route.js';
import { anyString, field, notABoolean, notAnArray, notAnObject, stringField, structures, type FieldRule } from './values.arbitraries.js';

// CreateResourcesBody / ResourceInput
const notAGitHubId = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1.5,
    -0.5,
    Number.MAX_SAFE_INTEGER + 1,
    1e21,
    '0',
    '01',
    '-1',
    '1.0',
    '1e3',
    ' 1',
    '1 ',
    '0x1F',
    '',
    '123456789012345678901',
    '١٢٣',
  ),
  fc.boolean(),
  fc.constant(null),
  structures,
  anyString.filter((s) => !GITHUB_ID_PATTERN.test(s)),
);
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const RESOURCE: FieldRule[] = [
  field('installationId', true, notAGitHubId),
  field('repoId', true, notAGitHubId),
  stringField('repoName', true, (s) => REPO_NAME.test(s)),
  stringField('repoFullName', true, (s) => REPO_FULL_NAME_PATTERN.test(s), [
    fc.constantFrom('acme', '/repo', 'acme/', '-acme/repo', 'a/b/c', `${'o'.repeat(40)}/repo`),
  ]),
  stringField('defaultBranch', true, (s) => s.length >= 1 && s.length <= 255, [fc.constant('b'.repeat(256))]),
  field('isPrivate', true, notABoolean()),
  field('isArchived', true, notABoolean()),
];

export function integrationRoutes(fixture: BadInputFixture): Route[] {
  const route = routesOf(fixture);
  return [
    route('POST', '/v1/me/integrations/github/validate'),
    route('DELETE', '/v1/me/integrations/:id', {
      // One GitHub integration per user: a fresh user with a fresh integration per case.
      prepare: async () => {
        const userId = `user_bi_${unique()}`;
        const githubToken = `gho_${randomUUID().replace(/-/g, '')}`;
        fixture.github.setInstallations(githubToken, [installationPayload(11, 'acme')]);
        const stored = await fixture.service.execute(
          new StoreGitHubOAuthResultCommand(
            userId,
            { accessToken: githubToken, installations: fixture.installations },
            { commandId: randomUUID(), userId },
          ),
        );
        return { params: { id: stored.id }, token: await fixture.app.token({ userId, org: ORG, role: 'member' }) };
      },
    }),
    route('POST', '/v1/me/integrations/:id/resources', {
      params: () => ({ id: fixture.integrationId }),
      body: {
        fields: [
          field(
            'resources',
            true,
            fc.oneof(
              notAnArray(),
              fc.constant([]),
              fc.constant(null).map(() => Array.from({ length: MAX_RESOURCES_PER_REQUEST + 1 }, () => resource())),
              fc.array(fc.oneof(notAnObject(), fc.constant([])), { minLength: 1, maxLength: 3 }),
            ),
          ),
        ],
        valid: () => ({ resources: [resource()] }),
        nested: [
          { at: 'resources.0', fields: RESOURCE, valid: () => resource(), put: (value) => ({ resources: [value] }) },
          {
            at: 'resources.1',
            fields: RESOURCE,
            valid: () => resource(),
            put: (value) => ({ resources: [resource(), value, resource()] }),
          },
          // A rule the DTO cannot express: the name must be the name part of the full name.
          {
            at: 'resources.0',
            fields: [field('repoName', true, fc.constantFrom('other', 'repo1', 'ACME'))],
            valid: () => resource(),
            put: (value) => ({ resources: [value] }),
          },
        ],
      },
    }),
  ];
}
