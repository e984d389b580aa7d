import { describe, expect, it } from '@jest/globals';
import {
  organizationStreamId,
  type MemberAdded,
  type MemberRemoved,
  type OrganizationCreated,
  type OrganizationEvent,
  type OrganizationFactSource,
  type OrganizationRole,
} from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { organizationsProjection } from './organizations.projection.js';

const spec = useProjectionSpec(organizationsProjection);

const created = (organizationId: string, slug: string, name: string, createdBy: string | null, createdAt: string): OrganizationCreated => ({
  type: 'OrganizationCreated',
  data: { organizationId, slug, name, createdBy, createdAt },
});
const added = (
  organizationId: string,
  userId: string,
  role: OrganizationRole,
  addedAt: string,
  source: OrganizationFactSource = 'console',
): MemberAdded => ({
  type: 'MemberAdded',
  data: { organizationId, userId, role, source, addedAt },
});
const removed = (organizationId: string, userId: string, role: OrganizationRole, removedAt: string): MemberRemoved => ({
  type: 'MemberRemoved',
  data: { organizationId, userId, role, source: 'clerk', removedAt },
});

/**
 * Two organizations: one created in Console (creator admin), renamed, a member promoted, one
 * removed and re-added; one learned from Clerk without a creator, its slug changed, a member added
 * and removed.
 */
function history() {
  const log = new EventLog();
  // Each organization event names its organization, so its stream.
  const append = (...events: OrganizationEvent[]) => log.append(organizationStreamId(events[0]!.data.organizationId), ...events);
  append(
    created('org_1', 'acme', 'Acme', 'user_1', '2026-03-01T09:00:00.000Z'),
    added('org_1', 'user_1', 'admin', '2026-03-01T09:00:00.000Z'),
  );
  append(added('org_1', 'user_2', 'member', '2026-03-01T10:00:00.000Z'));
  append(
    created('org_2', 'beta', 'Beta', null, '2026-03-01T11:00:00.000Z'),
    added('org_2', 'user_2', 'admin', '2026-03-01T11:00:00.000Z', 'clerk'),
  );
  append({
    type: 'OrganizationRenamed',
    data: { organizationId: 'org_1', name: 'Acme Corp', previousName: 'Acme', renamedAt: '2026-03-02T09:00:00.000Z' },
  });
  append({
    type: 'MemberRoleChanged',
    data: {
      organizationId: 'org_1',
      userId: 'user_2',
      role: 'admin',
      previousRole: 'member',
      source: 'console',
      changedAt: '2026-03-02T10:00:00.000Z',
    },
  });
  append(added('org_1', 'user_3', 'member', '2026-03-02T11:00:00.000Z'));
  append(removed('org_1', 'user_3', 'member', '2026-03-02T12:00:00.000Z'));
  append(added('org_1', 'user_3', 'member', '2026-03-03T09:00:00.000Z'));
  append({
    type: 'OrganizationSlugChanged',
    data: { organizationId: 'org_2', slug: 'beta-2', previousSlug: 'beta', changedAt: '2026-03-03T10:00:00.000Z' },
  });
  append({
    type: 'OrganizationImageChanged',
    data: {
      organizationId: 'org_2',
      imageUrl: 'https://img.clerk.com/beta.png',
      previousImageUrl: null,
      changedAt: '2026-03-03T10:00:00.000Z',
    },
  });
  append(added('org_2', 'user_4', 'member', '2026-03-03T11:00:00.000Z', 'clerk'));
  append(removed('org_2', 'user_4', 'member', '2026-03-03T12:00:00.000Z'));
  return log.events;
}

const date = (iso: string) => new Date(iso);
const expectedOrganizations = [
  {
    id: 'org_1',
    slug: 'acme',
    name: 'Acme Corp',
    created_by: 'user_1',
    image_url: null,
    created_at: date('2026-03-01T09:00:00.000Z'),
    updated_at: date('2026-03-02T09:00:00.000Z'),
  },
  {
    id: 'org_2',
    slug: 'beta-2',
    name: 'Beta',
    created_by: null,
    image_url: 'https://img.clerk.com/beta.png',
    created_at: date('2026-03-01T11:00:00.000Z'),
    updated_at: date('2026-03-03T10:00:00.000Z'),
  },
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
  it('writes one row per organization with its latest name and slug', () =>
    spec.given(history()).then(expectedOrganizations, 'organizations'));

  it('writes one row per current membership: role changes applied, removed members gone', () =>
    spec.given(history()).then(expectedMemberships, 'org_memberships'));

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
