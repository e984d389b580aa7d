import { describe, expect, it } from '@jest/globals';
import { organizationDecider, organizationStreamId, type OrganizationCommand, type OrganizationFactSource, type OrganizationRole } from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing';
import { organizationsProjection } from './organizations.projection.js';

const spec = useProjectionSpec(organizationsProjection);

const create = (organizationId: string, slug: string, name: string, createdBy: string | null, at: string, source: OrganizationFactSource = 'console'): OrganizationCommand => ({
  type: 'CreateOrganization',
  data: { organizationId, slug, name, createdBy, source, at },
});
const add = (organizationId: string, userId: string, role: OrganizationRole, at: string, source: OrganizationFactSource = 'console'): OrganizationCommand => ({
  type: 'AddMember',
  data: { organizationId, userId, role, source, at },
});
const remove = (organizationId: string, userId: string, at: string): OrganizationCommand => ({ type: 'RemoveMember', data: { organizationId, userId, source: 'clerk', at } });

/**
 * Two organizations: one created in Console (creator admin), renamed, a member promoted, one
 * removed and re-added; one learned from Clerk without a creator, its slug changed, a member added
 * and removed, and a late Clerk fact about the removed member ignored.
 */
function history() {
  const log = new EventLog();
  const send = (...commands: OrganizationCommand[]) =>
    commands.flatMap((command) => log.decide(organizationStreamId(command.data.organizationId), organizationDecider, command)).length;
  const counts = [
    send(create('org_1', 'acme', 'Acme', 'user_1', '2026-03-01T09:00:00.000Z')),
    send(add('org_1', 'user_2', 'member', '2026-03-01T10:00:00.000Z')),
    send(create('org_2', 'beta', 'Beta', null, '2026-03-01T11:00:00.000Z', 'clerk'), add('org_2', 'user_2', 'admin', '2026-03-01T11:00:00.000Z', 'clerk')),
    send({ type: 'RenameOrganization', data: { organizationId: 'org_1', name: 'Acme Corp', source: 'console', at: '2026-03-02T09:00:00.000Z' } }),
    send(add('org_1', 'user_2', 'admin', '2026-03-02T10:00:00.000Z')),
    send(add('org_1', 'user_3', 'member', '2026-03-02T11:00:00.000Z')),
    send(remove('org_1', 'user_3', '2026-03-02T12:00:00.000Z')),
    send(add('org_1', 'user_3', 'member', '2026-03-03T09:00:00.000Z', 'console')),
    send({ type: 'ChangeOrganizationSlug', data: { organizationId: 'org_2', slug: 'beta-2', at: '2026-03-03T10:00:00.000Z' } }),
    send(add('org_2', 'user_4', 'member', '2026-03-03T11:00:00.000Z', 'clerk')),
    send(remove('org_2', 'user_4', '2026-03-03T12:00:00.000Z')),
    // A redelivered "created" webhook from before the removal: ignored, appends nothing.
    send(add('org_2', 'user_4', 'member', '2026-03-03T11:00:00.000Z', 'clerk')),
  ];
  expect(counts.reduce((a, b) => a + b, 0)).toBe(13);
  return log.events;
}

const date = (iso: string) => new Date(iso);
const expectedOrganizations = [
  { id: 'org_1', slug: 'acme', name: 'Acme Corp', created_by: 'user_1', created_at: date('2026-03-01T09:00:00.000Z'), updated_at: date('2026-03-02T09:00:00.000Z') },
  { id: 'org_2', slug: 'beta-2', name: 'Beta', created_by: null, created_at: date('2026-03-01T11:00:00.000Z'), updated_at: date('2026-03-03T10:00:00.000Z') },
];
const membership = (organizationId: string, userId: string, role: OrganizationRole, createdAt: string, updatedAt = createdAt) => ({
  organization_id: organizationId,
  user_id: userId,
  role,
  created_at: date(createdAt),
  updated_at: date(updatedAt),
});
const expectedMemberships = [
  membership('org_1', 'user_1', 'admin', '2026-03-01T09:00:00.000Z'),
  membership('org_1', 'user_2', 'admin', '2026-03-01T10:00:00.000Z', '2026-03-02T10:00:00.000Z'),
  // Removed, then added again: a new membership, created at the re-add.
  membership('org_1', 'user_3', 'member', '2026-03-03T09:00:00.000Z'),
  membership('org_2', 'user_2', 'admin', '2026-03-01T11:00:00.000Z'),
];

describe('organizations projection', () => {
  it('writes one row per organization with its latest name and slug', () => spec.given(history()).then(expectedOrganizations, 'organizations'));

  it('writes one row per current membership: role changes applied, removed members gone', () => spec.given(history()).then(expectedMemberships, 'org_memberships'));

  it('indexes memberships by user and organizations by slug', async () => {
    const { rows } = await spec.pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename IN ('org_memberships_g1', 'organizations_g1')`);
    const definitions = rows.map((r: { indexdef: string }) => r.indexdef);
    expect(definitions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/org_memberships_g1.*USING btree \(user_id\)$/),
        expect.stringMatching(/org_memberships_g1_pkey.*\(organization_id, user_id\)$/),
        expect.stringMatching(/organizations_g1.*USING btree \(slug, updated_at DESC\)$/),
      ]),
    );
  });

  // One batch coalesces per key: user_3's add, removal and re-add become one row.
  describeProjectionContract(spec, history);
});
