import fc from 'fast-check';
import { organizationNameProblem, organizationSlugProblem } from '#domain';
import { ORG, unique, type BadInputFixture } from './bad-input.fixture.js';
import { routesOf, type Route } from './route.js';
import { stringField } from './values.arbitraries.js';

// CreateOrganizationBody / RenameOrganizationBody (the DTO calls the domain's own checks)
const slugField = stringField('slug', true, (s) => organizationSlugProblem(s) === null, [
  fc.constantFrom('by-id', 'ab', 'a--b', '-ab', 'ab-', 'Acme', 'a'.repeat(40), 'acme_co', 'acme.co'),
]);
const orgNameField = (required: boolean) =>
  stringField('name', required, (s) => organizationNameProblem(s) === null, [fc.constantFrom('tab\there', '\u007f', 'n'.repeat(101))]);

// AddMemberFromGitHubBody
const memberUserId = stringField('userId', true, (s) => s.length >= 1 && s.length <= 191 && /^[A-Za-z0-9_-]+$/.test(s), [
  fc.constantFrom('user 1', 'user.1', 'u'.repeat(192)),
]);
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const githubLoginField = (name: string) =>
  stringField(name, true, (s) => GITHUB_LOGIN.test(s), [fc.constantFrom('-acme', 'acme-', 'ac--me', 'a/b', 'a'.repeat(40), 'acme co')]);

export function organizationRoutes(fixture: BadInputFixture): Route[] {
  const route = routesOf(fixture);
  return [
    route('POST', '/v1/orgs', {
      body: { fields: [slugField, orgNameField(false)], valid: () => ({ slug: `prop-new-${unique()}`, name: 'Prop New' }) },
    }),
    route('PATCH', '/v1/orgs/:org', {
      params: () => ({ org: ORG }),
      body: { fields: [orgNameField(true)], valid: () => ({ name: `Prop Co ${unique()}` }) },
    }),
    route('POST', '/v1/orgs/:org/members/from-github', {
      params: () => ({ org: ORG }),
      body: {
        fields: [memberUserId, githubLoginField('githubOrgSlug'), githubLoginField('githubUsername')],
        valid: () => ({ userId: `user_gh_${unique()}`, githubOrgSlug: 'acme', githubUsername: `gh-${unique()}` }),
      },
    }),
  ];
}
