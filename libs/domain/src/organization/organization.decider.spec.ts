import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import { specFor } from '#domain/testing';
import type { OrganizationCommand } from './organization.commands.js';
import { memberRole, organizationDecider } from './organization.decider.js';
import type {
  MemberAdded,
  MemberRemoved,
  MemberRoleChanged,
  OrganizationCreated,
  OrganizationEvent,
  OrganizationFactSource,
  OrganizationRole,
} from './organization.events.js';

const spec = specFor(organizationDecider);

const organizationId = 'org_1';
const t0 = '2026-01-01T10:00:00.000Z';
const t1 = '2026-01-02T10:00:00.000Z';
const t2 = '2026-01-03T10:00:00.000Z';

const create = (
  createdBy: string | null = 'user_owner',
  source: OrganizationFactSource = 'console',
  name = 'Acme Inc',
): OrganizationCommand => ({
  type: 'CreateOrganization',
  data: { organizationId, slug: 'acme', name, createdBy, source, at: t0 },
});
const rename = (name: string, source: OrganizationFactSource = 'console'): OrganizationCommand => ({
  type: 'RenameOrganization',
  data: { organizationId, name, source, at: t1 },
});
const add = (userId: string, role: OrganizationRole, source: OrganizationFactSource = 'console', at = t1): OrganizationCommand => ({
  type: 'AddMember',
  data: { organizationId, userId, role, source, at },
});
const remove = (userId: string, source: OrganizationFactSource = 'clerk', at = t1): OrganizationCommand => ({
  type: 'RemoveMember',
  data: { organizationId, userId, source, at },
});

// The helper compares JSON, so fixtures list keys in the order the decider writes them.
const created = (createdBy: string | null = 'user_owner', name = 'Acme Inc'): OrganizationCreated => ({
  type: 'OrganizationCreated',
  data: { organizationId, slug: 'acme', name, createdBy, createdAt: t0 },
});
const added = (userId: string, role: OrganizationRole, source: OrganizationFactSource = 'console', at = t1): MemberAdded => ({
  type: 'MemberAdded',
  data: { organizationId, userId, role, source, addedAt: at },
});
const changed = (
  userId: string,
  role: OrganizationRole,
  previousRole: OrganizationRole,
  source: OrganizationFactSource = 'console',
  at = t1,
): MemberRoleChanged => ({
  type: 'MemberRoleChanged',
  data: { organizationId, userId, role, previousRole, source, changedAt: at },
});
const removed = (userId: string, role: OrganizationRole, source: OrganizationFactSource = 'clerk', at = t1): MemberRemoved => ({
  type: 'MemberRemoved',
  data: { organizationId, userId, role, source, removedAt: at },
});

describe('organization decider', () => {
  describe('when the organization does not exist', () => {
    it('creates it with its creator as admin', () => {
      spec
        .given([])
        .when(create())
        .then([created(), added('user_owner', 'admin', 'console', t0)]);
    });

    it('creates an organization Clerk reported with no member: Clerk reports memberships separately', () => {
      spec
        .given([])
        .when(create(null, 'clerk'))
        .then([created(null)]);
      spec
        .given([])
        .when(create('user_owner', 'clerk'))
        .then([created('user_owner')]);
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['101 characters long', 'n'.repeat(101)],
      ['holding a control character', 'Acme\u0000'],
    ])('rejects a name that is %s', (_, name) => {
      spec
        .given([])
        .when(create('user_owner', 'console', name))
        .thenThrows('invalid', 'name');
    });

    it('takes a name reported by Clerk as it is', () => {
      const long = 'n'.repeat(150);
      spec
        .given([])
        .when(create(null, 'clerk', long))
        .then([created(null, long)]);
    });

    it.each([
      ['renaming', rename('Other')],
      ['adding a member', add('user_2', 'member')],
      ['removing a member', remove('user_2')],
      ['changing the slug', { type: 'ChangeOrganizationSlug', data: { organizationId, slug: 'other', at: t1 } } as OrganizationCommand],
    ])('refuses %s', (_, command) => {
      spec.given([]).when(command).thenThrows('not_found');
    });
  });

  describe('when the organization exists', () => {
    const history: OrganizationEvent[] = [created(), added('user_owner', 'admin', 'console', t0)];

    it('does nothing when created again, whatever the command says', () => {
      spec
        .given(history)
        .when(create('user_other', 'clerk', 'Renamed'))
        .then([]);
    });

    it('renames it, recording the previous name', () => {
      spec
        .given(history)
        .when(rename('Acme Corp'))
        .then([{ type: 'OrganizationRenamed', data: { organizationId, name: 'Acme Corp', previousName: 'Acme Inc', renamedAt: t1 } }]);
    });

    it('does nothing when renamed to its current name', () => {
      spec.given(history).when(rename('Acme Inc')).then([]);
    });

    it('rejects an invalid new name from Console but not from Clerk', () => {
      spec.given(history).when(rename(' ')).thenThrows('invalid', 'name');
      spec
        .given(history)
        .when(rename('x'.repeat(120), 'clerk'))
        .then([{ type: 'OrganizationRenamed', data: { organizationId, name: 'x'.repeat(120), previousName: 'Acme Inc', renamedAt: t1 } }]);
    });

    it('follows a slug change', () => {
      spec
        .given(history)
        .when({ type: 'ChangeOrganizationSlug', data: { organizationId, slug: 'acme-2', at: t1 } })
        .then([{ type: 'OrganizationSlugChanged', data: { organizationId, slug: 'acme-2', previousSlug: 'acme', changedAt: t1 } }]);
      spec
        .given(history)
        .when({ type: 'ChangeOrganizationSlug', data: { organizationId, slug: 'acme', at: t1 } })
        .then([]);
    });

    it('follows Clerk’s image, ignoring the same image or an older report', () => {
      const image = (imageUrl: string | null, when = t1) =>
        ({ type: 'ChangeOrganizationImage', data: { organizationId, imageUrl, at: when } }) as const;
      spec
        .given(history)
        .when(image('https://img.clerk.com/a.png'))
        .then([
          {
            type: 'OrganizationImageChanged',
            data: { organizationId, imageUrl: 'https://img.clerk.com/a.png', previousImageUrl: null, changedAt: t1 },
          },
        ]);
      spec.given(history).when(image(null)).then([]);
      spec.given(history).when(image('https://img.clerk.com/old.png', '2000-01-01T00:00:00.000Z')).then([]);
    });

    it('adds a new member', () => {
      spec
        .given(history)
        .when(add('user_2', 'member'))
        .then([added('user_2', 'member')]);
    });

    it('does nothing when the member already has the role', () => {
      spec.given(history).when(add('user_owner', 'admin')).then([]);
    });

    it('changes the role of an existing member', () => {
      spec
        .given(history)
        .when(add('user_owner', 'member'))
        .then([changed('user_owner', 'member', 'admin')]);
    });

    it('removes a member, recording the role they had', () => {
      spec
        .given(history)
        .when(remove('user_owner'))
        .then([removed('user_owner', 'admin')]);
    });

    it('does nothing when removing a user who is not a member', () => {
      spec.given(history).when(remove('user_2')).then([]);
    });
  });

  describe('when Clerk reports facts out of order', () => {
    const history: OrganizationEvent[] = [
      created(null, 'clerk'),
      added('user_2', 'member', 'clerk', t1),
      removed('user_2', 'member', 'clerk', t2),
    ];

    it('ignores a membership older than the removal it predates (a late webhook)', () => {
      spec
        .given(history)
        .when(add('user_2', 'member', 'clerk', t1))
        .then([]);
    });

    it('applies a membership newer than the removal', () => {
      const later = '2026-01-04T10:00:00.000Z';
      spec
        .given(history)
        .when(add('user_2', 'admin', 'clerk', later))
        .then([added('user_2', 'admin', 'clerk', later)]);
    });

    it('ignores a removal older than the membership it follows', () => {
      spec
        .given([created(null, 'clerk'), added('user_3', 'member', 'clerk', t2)])
        .when(remove('user_3', 'clerk', t1))
        .then([]);
    });

    it('ignores a rename or slug change older than the last change Clerk reported', () => {
      const renamedLater = {
        type: 'OrganizationRenamed',
        data: { organizationId, name: 'New', previousName: 'Acme Inc', renamedAt: t2 },
      } as const;
      spec
        .given([...history, renamedLater])
        .when(rename('Old', 'clerk'))
        .then([]);
      spec
        .given([...history, renamedLater])
        .when({ type: 'ChangeOrganizationSlug', data: { organizationId, slug: 'old', at: t1 } })
        .then([]);
    });

    it('applies Console’s own commands whatever their time', () => {
      spec
        .given(history)
        .when(add('user_2', 'member', 'console', t0))
        .then([added('user_2', 'member', 'console', t0)]);
    });
  });

  describe('fold', () => {
    it('keeps removed members as tombstones and the current roles of the others', () => {
      const state = fold(organizationDecider, [
        created(),
        added('user_owner', 'admin', 'console', t0),
        added('user_2', 'member'),
        changed('user_2', 'admin', 'member'),
        removed('user_owner', 'admin', 'clerk', t2),
      ]);
      expect(state).toMatchObject({ organizationId, slug: 'acme', name: 'Acme Inc', updatedAt: t0 });
      expect(memberRole(state, 'user_2')).toBe('admin');
      expect(memberRole(state, 'user_owner')).toBeNull();
      expect(state.members.get('user_owner')).toEqual({ role: null, lastChangedAt: t2 });
    });
  });
});
