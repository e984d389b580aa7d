import { beforeAll, describe, expect, it } from '@jest/globals';
import { organizationDecider, organizationStreamId, type OrganizationCommand, type OrganizationFactSource, type OrganizationRole } from '#domain';
import { handleCommand } from '#event-store';
import { useProjectionHarness } from '../../../../test/support/projection-harness.js';
import { createGeneration } from '../core/projection-catalog.js';
import { organizationsProjection } from './organizations.projection.js';

const harness = useProjectionHarness(organizationsProjection);
const { inTransaction, newRunner, runToHead, readAllBatches } = harness;
const sum = (applied: number[]) => applied.reduce((a, b) => a + b, 0);

let commandCount = 0;
async function send(...commands: OrganizationCommand[]): Promise<number> {
  const result = await handleCommand(harness.store, organizationStreamId(commands[0]!.data.organizationId), organizationDecider, commands, {
    commandId: `organizations-spec-${++commandCount}`,
  });
  if (result.events.length > 0) harness.recordAppended(result.position!);
  return result.events.length;
}

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
async function seedHistory(): Promise<number> {
  const counts = [
    await send(create('org_1', 'acme', 'Acme', 'user_1', '2026-03-01T09:00:00.000Z')),
    await send(add('org_1', 'user_2', 'member', '2026-03-01T10:00:00.000Z')),
    await send(create('org_2', 'beta', 'Beta', null, '2026-03-01T11:00:00.000Z', 'clerk'), add('org_2', 'user_2', 'admin', '2026-03-01T11:00:00.000Z', 'clerk')),
    await send({ type: 'RenameOrganization', data: { organizationId: 'org_1', name: 'Acme Corp', source: 'console', at: '2026-03-02T09:00:00.000Z' } }),
    await send(add('org_1', 'user_2', 'admin', '2026-03-02T10:00:00.000Z')),
    await send(add('org_1', 'user_3', 'member', '2026-03-02T11:00:00.000Z')),
    await send(remove('org_1', 'user_3', '2026-03-02T12:00:00.000Z')),
    await send(add('org_1', 'user_3', 'member', '2026-03-03T09:00:00.000Z', 'console')),
    await send({ type: 'ChangeOrganizationSlug', data: { organizationId: 'org_2', slug: 'beta-2', at: '2026-03-03T10:00:00.000Z' } }),
    await send(add('org_2', 'user_4', 'member', '2026-03-03T11:00:00.000Z', 'clerk')),
    await send(remove('org_2', 'user_4', '2026-03-03T12:00:00.000Z')),
    // A redelivered "created" webhook from before the removal: ignored, appends nothing.
    await send(add('org_2', 'user_4', 'member', '2026-03-03T11:00:00.000Z', 'clerk')),
  ];
  return sum(counts);
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

const organizations = async (generation?: number) =>
  (await harness.pool.query(`SELECT * FROM ${generation ? `organizations_g${generation}` : 'organizations'} ORDER BY id`)).rows;
const memberships = async (generation?: number) =>
  (await harness.pool.query(`SELECT * FROM ${generation ? `org_memberships_g${generation}` : 'org_memberships'} ORDER BY organization_id, user_id`)).rows;

describe('organizations projection', () => {
  let seeded: number;
  beforeAll(async () => {
    seeded = await seedHistory();
  });

  describe('when replayed from the start', () => {
    let applied: number[];
    beforeAll(async () => {
      applied = await runToHead({ mode: 'replay' });
    });

    it('writes one row per organization with its latest name and slug', async () => {
      expect(await organizations()).toEqual(expectedOrganizations);
    });

    it('writes one row per current membership: role changes applied, removed members gone', async () => {
      expect(seeded).toBe(13);
      expect(await memberships()).toEqual(expectedMemberships);
    });

    it('applies every event exactly once', async () => {
      expect(sum(applied)).toBe(seeded);
      expect((await harness.checkpointOf())!.eventsProcessed).toBe(seeded);
    });

    it('indexes memberships by user and organizations by slug', async () => {
      const { rows } = await harness.pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename IN ('org_memberships_g1', 'organizations_g1')`);
      const definitions = rows.map((r: { indexdef: string }) => r.indexdef);
      expect(definitions).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/org_memberships_g1.*USING btree \(user_id\)$/),
          expect.stringMatching(/org_memberships_g1_pkey.*\(organization_id, user_id\)$/),
          expect.stringMatching(/organizations_g1.*USING btree \(slug, updated_at DESC\)$/),
        ]),
      );
    });
  });

  describe('when the same events are applied twice', () => {
    it('skips them on a second run and nothing doubles', async () => {
      expect(sum(await runToHead())).toBe(0);
      const batches = await readAllBatches();
      const client = await harness.pool.connect();
      try {
        for (const batch of batches) expect(await newRunner().applyBatch(client, 1, batch)).toBe(0);
      } finally {
        client.release();
      }
      expect(await organizations()).toEqual(expectedOrganizations);
      expect(await memberships()).toEqual(expectedMemberships);
    });
  });

  describe('when the history is applied in one batch or one event per batch', () => {
    it('writes identical rows', async () => {
      await inTransaction(async (client) => {
        await createGeneration(client, organizationsProjection, 2);
        await createGeneration(client, organizationsProjection, 3);
      });
      const history = (await readAllBatches()).flatMap((b) => b.events);
      expect(history).toHaveLength(seeded);
      const client = await harness.pool.connect();
      try {
        // One batch coalesces per key: user_3's add, removal and re-add become one row.
        expect(await newRunner({ generation: 2 }).applyBatch(client, 2, { events: history, checkpoint: harness.lastAppended, caughtUp: true })).toBe(seeded);
      } finally {
        client.release();
      }
      const apart = await runToHead({ mode: 'replay', generation: 3, maxBatchSize: 1 });
      expect(apart.filter((n) => n > 0)).toEqual(Array.from({ length: seeded }, () => 1));
      for (const generation of [2, 3]) {
        expect(await organizations(generation)).toEqual(expectedOrganizations);
        expect(await memberships(generation)).toEqual(expectedMemberships);
      }
    });
  });
});
