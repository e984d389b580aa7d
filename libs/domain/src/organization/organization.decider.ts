import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { OrganizationCommand } from './organization.commands.js';
import type {
  MemberAdded,
  MemberRemoved,
  MemberRoleChanged,
  OrganizationEvent,
  OrganizationFactSource,
  OrganizationRole,
} from './organization.events.js';

export const ORGANIZATION_NAME_MAX_LENGTH = 100;

export interface MemberState {
  /** Null once removed: the entry stays, so a stale Clerk fact about the user can be recognised. */
  readonly role: OrganizationRole | null;
  /** Time of the newest membership event about the user. */
  readonly lastChangedAt: string;
}

export interface OrganizationState {
  /** Null until the organization is created. */
  readonly organizationId: string | null;
  readonly slug: string;
  readonly name: string;
  /** Clerk's logo URL; null without Clerk. */
  readonly imageUrl: string | null;
  /** Time of the newest event about the organization itself (created, renamed, slug changed). */
  readonly updatedAt: string;
  readonly members: ReadonlyMap<string, MemberState>;
}

const initialState = (): OrganizationState => ({
  organizationId: null,
  slug: '',
  name: '',
  imageUrl: null,
  updatedAt: '',
  members: new Map(),
});

export function organizationNameProblem(name: string): string | null {
  if (name.length < 1 || name.length > ORGANIZATION_NAME_MAX_LENGTH || name.trim().length === 0 || /[\u0000-\u001f\u007f]/.test(name)) {
    return `name must be 1–${ORGANIZATION_NAME_MAX_LENGTH} characters, not blank, without control characters`;
  }
  return null;
}

export const memberRole = (state: OrganizationState, userId: string): OrganizationRole | null => state.members.get(userId)?.role ?? null;

function decide(command: OrganizationCommand, state: OrganizationState): OrganizationEvent[] {
  const { organizationId, at } = command.data;
  if (command.type === 'CreateOrganization') {
    if (state.organizationId !== null) return [];
    const { slug, name, createdBy, source } = command.data;
    const imageUrl = command.data.imageUrl ?? null;
    // Clerk's names are taken as they are; ours follow our rules.
    if (source === 'console') requireName(name);
    // Our own creation makes the creator its admin. Clerk reports memberships as facts of their
    // own: its creator may have left or changed role long before we hear of the organization.
    return [
      // An organization without an image records none: absent reads as null.
      { type: 'OrganizationCreated', data: { organizationId, slug, name, createdBy, createdAt: at, ...(imageUrl ? { imageUrl } : {}) } },
      ...(createdBy !== null && source === 'console' ? [added(organizationId, createdBy, 'admin', source, at)] : []),
    ];
  }
  if (state.organizationId === null) throw new DomainError('not_found', `Organization ${organizationId} not found`);
  switch (command.type) {
    case 'RenameOrganization': {
      const { name, source } = command.data;
      if (source === 'console') requireName(name);
      if (name === state.name || (source === 'clerk' && isBefore(at, state.updatedAt))) return [];
      return [{ type: 'OrganizationRenamed', data: { organizationId, name, previousName: state.name, renamedAt: at } }];
    }
    case 'ChangeOrganizationSlug': {
      const { slug } = command.data;
      // Only Clerk changes slugs, so the same staleness rule as its renames applies.
      if (slug === state.slug || isBefore(at, state.updatedAt)) return [];
      return [{ type: 'OrganizationSlugChanged', data: { organizationId, slug, previousSlug: state.slug, changedAt: at } }];
    }
    case 'ChangeOrganizationImage': {
      const { imageUrl } = command.data;
      // Only Clerk has images, so the same staleness rule as its renames applies.
      if (imageUrl === state.imageUrl || isBefore(at, state.updatedAt)) return [];
      return [
        {
          type: 'OrganizationImageChanged',
          data: { organizationId, imageUrl, previousImageUrl: state.imageUrl, changedAt: at },
        },
      ];
    }
    case 'AddMember': {
      const { userId, role, source } = command.data;
      if (isStale(state, userId, source, at)) return [];
      const current = memberRole(state, userId);
      if (current === role) return [];
      if (current === null) return [added(organizationId, userId, role, source, at)];
      const changed: MemberRoleChanged = {
        type: 'MemberRoleChanged',
        data: { organizationId, userId, role, previousRole: current, source, changedAt: at },
      };
      return [changed];
    }
    case 'RemoveMember': {
      const { userId, source } = command.data;
      if (isStale(state, userId, source, at)) return [];
      const current = memberRole(state, userId);
      if (current === null) return [];
      const removed: MemberRemoved = { type: 'MemberRemoved', data: { organizationId, userId, role: current, source, removedAt: at } };
      return [removed];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  switch (event.type) {
    case 'OrganizationCreated':
      return {
        ...state,
        organizationId: event.data.organizationId,
        slug: event.data.slug,
        name: event.data.name,
        imageUrl: event.data.imageUrl ?? null,
        updatedAt: event.data.createdAt,
      };
    case 'OrganizationRenamed':
      return { ...state, name: event.data.name, updatedAt: event.data.renamedAt };
    case 'OrganizationSlugChanged':
      return { ...state, slug: event.data.slug, updatedAt: event.data.changedAt };
    case 'OrganizationImageChanged':
      return { ...state, imageUrl: event.data.imageUrl, updatedAt: event.data.changedAt };
    case 'MemberAdded':
      return withMember(state, event.data.userId, { role: event.data.role, lastChangedAt: event.data.addedAt });
    case 'MemberRoleChanged':
      return withMember(state, event.data.userId, { role: event.data.role, lastChangedAt: event.data.changedAt });
    case 'MemberRemoved':
      return withMember(state, event.data.userId, { role: null, lastChangedAt: event.data.removedAt });
    default:
      return assertNever(event);
  }
}

function withMember(state: OrganizationState, userId: string, member: MemberState): OrganizationState {
  const members = new Map(state.members);
  members.set(userId, member);
  return { ...state, members };
}

/** Only Clerk's facts can be out of date: our own commands happen now. */
function isStale(state: OrganizationState, userId: string, source: OrganizationFactSource, at: string): boolean {
  const known = state.members.get(userId);
  return source === 'clerk' && known !== undefined && isBefore(at, known.lastChangedAt);
}

const isBefore = (at: string, than: string) => Date.parse(at) < Date.parse(than);

const added = (
  organizationId: string,
  userId: string,
  role: OrganizationRole,
  source: OrganizationFactSource,
  at: string,
): MemberAdded => ({
  type: 'MemberAdded',
  data: { organizationId, userId, role, source, addedAt: at },
});

function requireName(name: string): void {
  const problem = organizationNameProblem(name);
  if (problem) throw new DomainError('invalid', problem, { field: 'name' });
}

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = { decide, evolve, initialState };
