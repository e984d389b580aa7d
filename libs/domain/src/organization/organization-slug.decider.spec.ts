import { describe, expect, it } from '@jest/globals';
import { specFor } from '#domain/testing';
import { defaultWorkspaceName } from './default-workspace-name.js';
import type { OrganizationSlugCommand } from './organization.commands.js';
import type { OrganizationSlugReserved } from './organization.events.js';
import { organizationSlugDecider, organizationSlugProblem } from './organization-slug.decider.js';
import { WORKSPACE_NAME_PATTERN } from '../workspace/workspace.decider.js';

const spec = specFor(organizationSlugDecider);
const at = '2026-01-01T10:00:00.000Z';

const reserve = (slug: string, organizationId = 'org_1', authoritative = false): OrganizationSlugCommand => ({
  type: 'ReserveOrganizationSlug',
  data: { slug, organizationId, authoritative, at },
});
const reserved = (slug: string, organizationId = 'org_1'): OrganizationSlugReserved => ({
  type: 'OrganizationSlugReserved',
  data: { slug, organizationId, reservedAt: at },
});

describe('organization slug decider', () => {
  describe('when the slug is free', () => {
    it.each(['abc', 'acme-inc', 'a1-b2-c3', '123', 'a'.repeat(39)])('reserves "%s"', (slug) => {
      spec
        .given([])
        .when(reserve(slug))
        .then([reserved(slug)]);
    });

    it.each([
      ['too short', 'ab'],
      ['too long', 'a'.repeat(40)],
      ['upper case', 'Acme'],
      ['starting with a hyphen', '-acme'],
      ['ending with a hyphen', 'acme-'],
      ['holding a double hyphen', 'ac--me'],
      ['holding an underscore', 'ac_me'],
      ['holding a space', 'ac me'],
      ['reserved for a route', 'by-id'],
    ])('rejects a slug %s', (_, slug) => {
      spec.given([]).when(reserve(slug)).thenThrows('invalid', 'slug');
    });

    it('takes a slug Clerk granted even when it breaks our rules', () => {
      spec
        .given([])
        .when(reserve('Legacy_Slug', 'org_1', true))
        .then([reserved('Legacy_Slug')]);
    });
  });

  describe('when the slug is held', () => {
    const history = [reserved('acme', 'org_1')];

    it('refuses a second creation, even one deriving the same organization id', () => {
      spec.given(history).when(reserve('acme', 'org_1')).thenThrows('conflict', 'already taken');
      spec.given(history).when(reserve('acme', 'org_2')).thenThrows('conflict', 'already taken');
    });

    it('does nothing when Clerk confirms the holder', () => {
      spec
        .given(history)
        .when(reserve('acme', 'org_1', true))
        .then([]);
    });

    it('passes the slug on when Clerk says another organization holds it now', () => {
      spec
        .given(history)
        .when(reserve('acme', 'org_2', true))
        .then([reserved('acme', 'org_2')]);
    });
  });

  it('explains what is wrong with a slug, or returns null', () => {
    expect(organizationSlugProblem('acme')).toBeNull();
    expect(organizationSlugProblem('by-id')).toContain('reserved');
    expect(organizationSlugProblem('a--b')).toContain('3–39');
  });
});

describe('default workspace name', () => {
  it('is a friendly, valid workspace name, the same for the same organization every time', () => {
    const name = defaultWorkspaceName('org_2abc');
    expect(name).toMatch(/^[A-Z][a-z]+-[A-Z][a-z]+$/);
    expect(WORKSPACE_NAME_PATTERN.test(name)).toBe(true);
    expect(defaultWorkspaceName('org_2abc')).toBe(name);
    expect(defaultWorkspaceName('org_2abc', 2)).toBe(`${name}-2`);
  });

  it('spreads organizations over many names', () => {
    const names = new Set(Array.from({ length: 200 }, (_, i) => defaultWorkspaceName(`org_${i}`)));
    expect(names.size).toBeGreaterThan(150);
  });
});
