import fc from 'fast-check';
import { GITHUB_ID_PATTERN } from '#domain';
import { ORG, WS, type BadInputFixture } from './bad-input.fixture.js';
import { routesOf, type Route } from './route.js';
import { field, notAnObject, stringField, type FieldRule } from './values.arbitraries.js';

// ConnectRepositoryBody
const notAGitHubIdString = (name: string) =>
  stringField(name, true, (s) => GITHUB_ID_PATTERN.test(s), [
    fc.constantFrom('0', '01', '-1', '1.0', '1e3', ' 1', '1 ', '0x1F', '123456789012345678901', '١٢٣'),
  ]);
const CONNECT_REPOSITORY: FieldRule[] = [
  notAGitHubIdString('githubRepoId'),
  notAGitHubIdString('githubInstallationId'),
  stringField('workspace', false, (s) => s.length <= 100),
];
let nextGithubRepoId = 800_000;
/** A valid connection; a fresh GitHub repository each time, so an accepted case would append. */
const connectRepository = () => ({ githubRepoId: String(nextGithubRepoId++), githubInstallationId: '11', workspace: WS });

export function repositoryRoutes(fixture: BadInputFixture): Route[] {
  const route = routesOf(fixture);
  return [
    route('POST', '/v1/orgs/:org/repositories', {
      params: () => ({ org: ORG }),
      body: { fields: CONNECT_REPOSITORY, valid: connectRepository },
    }),
    // Installation 11 is bound already (by the fixture's connect): a valid request appends nothing either.
    route('POST', '/v1/orgs/:org/github/installations', {
      params: () => ({ org: ORG }),
      body: { fields: [notAGitHubIdString('installationId')], valid: () => ({ installationId: '11' }) },
    }),
    // A fresh value each time: an accepted case would append a metadata change.
    route('PATCH', '/v1/orgs/:org/repositories/:id', {
      params: () => ({ org: ORG, id: fixture.repositoryId }),
      minPosition: true,
      body: { fields: [field('metadata', true, notAnObject())], valid: () => ({ metadata: { extras: `x-${nextGithubRepoId++}` } }) },
    }),
    // Detecting again is accepted (and recorded) again: the same repository serves every case.
    route('POST', '/v1/orgs/:org/repositories/:id/detect-config', {
      params: () => ({ org: ORG, id: fixture.repositoryId }),
      minPosition: true,
    }),
    route('POST', '/v1/orgs/:org/repositories/:id/reindex', {
      minPosition: true,
      // A fresh repository per case: a wrongly accepted reindex would make the next one a 409.
      prepare: async () => {
        const created = await fixture.app.request('POST', `/v1/orgs/${ORG}/repositories`, {
          token: fixture.token,
          body: connectRepository(),
        });
        if (created.status !== 201) throw new Error(`fixture: repository connection answered ${created.status}`);
        const listed = await fixture.app.request(
          'GET',
          `/v1/orgs/${ORG}/repositories/${created.body.repositoryId}?minPosition=${created.body.position}`,
          { token: fixture.token },
        );
        if (listed.status !== 200) throw new Error(`fixture: repository read answered ${listed.status}`);
        return { params: { org: ORG, id: created.body.repositoryId }, token: fixture.token };
      },
    }),
  ];
}
