import { DomainError } from '../core/domain-error.js';
import type { RecordedEvent } from '../core/event.js';
import { defaultWorkspaceIdFor } from '../core/ids.js';
import type { CreateWorkspace } from '../workspace/workspace.commands.js';
import type { WorkspaceDirectory } from '../workspace/workspace.decider.js';
import type { WorkspaceEvent } from '../workspace/workspace.events.js';
import { defaultWorkspaceName } from './default-workspace-name.js';
import type { AddMember, CreateOrganization, OrganizationCommand, ReserveOrganizationSlug } from './organization.commands.js';
import type { OrganizationFactSource, OrganizationRole, OrganizationSlugEvent } from './organization.events.js';

/*
 * Organization creation touches three streams, in an order that makes every step safe to retry:
 * the slug reservation (the uniqueness check), the organization, then its default workspace. These
 * are its pure steps; the runner that reads and appends is in libs/application.
 */

/** Each stream a sequence touches gets its own command id, derived from the sequence's: a retry replays on each. */
export const perStreamCommandIds = (commandId: string) => ({ slug: `${commandId}:slug`, organization: `${commandId}:org` }) as const;

/**
 * Step 1, on the slug's stream: a retry of a creation that got as far as its reservation continues
 * with the organization it reserved for (asking Clerk again would answer "slug taken"); any other
 * reservation, even one Clerk has since moved or released, refuses the slug. Null: a new
 * organization id is needed.
 */
export function resumedOrganizationId(
  slug: string,
  slugHistory: readonly RecordedEvent<OrganizationSlugEvent>[],
  slugCommandId: string,
): string | null {
  const reservation = slugHistory.find((e) => e.metadata.commandId === slugCommandId);
  if (reservation) return reservation.data.organizationId;
  if (slugHistory.length > 0) throw slugUsedBefore(slug);
  return null;
}

/**
 * Step 2, for a new organization id: without Clerk an id is derived from its slug, so an id with
 * history (workspaces made with local tokens before the organization existed, or what a previous
 * holder left) would hand the creator everything recorded under it. Only the operator adopts it.
 */
export function requireFreshOrganization(slug: string, hasHistory: boolean, adoptHistory: boolean): void {
  if (hasHistory && !adoptHistory) throw slugUsedBefore(slug);
}

export interface OrganizationCreationRequest {
  readonly slug: string;
  readonly name: string;
  readonly userId: string;
}

const ORGANIZATION_SLUG_MAX_LENGTH = 39;

/**
 * `clerk.createOrGetOrganization`'s retry on a taken slug: the original retried once with
 * `` `${orgSlug}-${Date.now()}` ``. Ours keeps that form; the base is shortened (and a trailing
 * hyphen dropped) so the result still fits the 39-character slug rule the original's Clerk enforced.
 */
export function suffixedSlug(slug: string, nowMs: number): string {
  const suffix = `-${nowMs}`;
  const base = slug.slice(0, ORGANIZATION_SLUG_MAX_LENGTH - suffix.length).replace(/-+$/, '');
  return `${base}${suffix}`;
}

/** True for a slug `suffixedSlug` could have made from `slug` (the retry of an idempotent request looks for it). */
export const isSuffixedFrom = (candidate: string, slug: string): boolean => {
  const match = /^(.*)-(\d{13,})$/.exec(candidate);
  return match !== null && suffixedSlug(slug, Number(match[2])) === candidate;
};

/** Step 3: the slug reservation and the organization, for the id step 1 or the directory gave. */
export function creationCommands(
  request: OrganizationCreationRequest,
  organizationId: string,
  authoritative: boolean,
  at: string,
  imageUrl: string | null = null,
): { readonly reserve: ReserveOrganizationSlug; readonly create: CreateOrganization } {
  return {
    reserve: { type: 'ReserveOrganizationSlug', data: { slug: request.slug, organizationId, authoritative, at } },
    create: {
      type: 'CreateOrganization',
      data: { organizationId, slug: request.slug, name: request.name, createdBy: request.userId, source: 'console', at, imageUrl },
    },
  };
}

/** An organization as Clerk reports it (the shape of the directory's answer, without the adapter). */
export interface ReportedOrganization {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  /** Clerk's logo URL (null: none). */
  readonly imageUrl?: string | null;
}

/** A reported organization holds its slug by Clerk's word: the reservation gives way to it. */
export const reportedSlugReservation = (organization: ReportedOrganization, at: string): ReserveOrganizationSlug => ({
  type: 'ReserveOrganizationSlug',
  data: { slug: organization.slug, organizationId: organization.id, authoritative: true, at },
});

/**
 * The organization commands for a reported organization. With `update`, its name and slug are
 * applied too (the decider ignores them when the stream knows a newer state); without, only an
 * unknown organization is recorded, as a membership payload's copy may be older than ours.
 */
export function reportedOrganizationCommands(
  organization: ReportedOrganization,
  source: OrganizationFactSource,
  at: string,
  update: boolean,
): OrganizationCommand[] {
  const organizationId = organization.id;
  // Whoever asks, an organization read from Clerk is a Clerk fact: its members come from Clerk's membership facts.
  const create: CreateOrganization = {
    type: 'CreateOrganization',
    data: {
      organizationId,
      slug: organization.slug,
      name: organization.name,
      createdBy: organization.createdBy,
      source: 'clerk',
      at: organization.createdAt,
      imageUrl: organization.imageUrl ?? null,
    },
  };
  if (!update) return [create];
  return [
    create,
    { type: 'RenameOrganization', data: { organizationId, name: organization.name, source, at } },
    { type: 'ChangeOrganizationSlug', data: { organizationId, slug: organization.slug, at } },
    ...(organization.imageUrl === undefined
      ? []
      : [{ type: 'ChangeOrganizationImage', data: { organizationId, imageUrl: organization.imageUrl, at } } as const]),
  ];
}

/** A reported membership: its organization (never updated from a membership's copy), then the member. */
export function reportedMembershipCommands(
  membership: { readonly organization: ReportedOrganization; readonly userId: string; readonly role: OrganizationRole },
  source: OrganizationFactSource,
  at: string,
): OrganizationCommand[] {
  const member: AddMember = {
    type: 'AddMember',
    data: { organizationId: membership.organization.id, userId: membership.userId, role: membership.role, source, at },
  };
  return [...reportedOrganizationCommands(membership.organization, 'clerk', at, false), member];
}

/** The most attempts at a free default-workspace name before the conflict reaches the caller. */
export const DEFAULT_WORKSPACE_NAME_ATTEMPTS = 20;

/**
 * Step 4, on the organization's workspace directory: its default workspace, with an id and a
 * friendly name derived from the organization, so retries and concurrent callers agree; the
 * directory decider makes a second default a no-op. The command id is per attempt: an attempt
 * refused for its name leaves nothing a later attempt would replay.
 */
export function defaultWorkspaceCommand(
  organizationId: string,
  attempt: number,
  at: string,
): { readonly command: CreateWorkspace; readonly commandId: string } {
  return {
    command: {
      type: 'CreateWorkspace',
      data: {
        organizationId,
        workspaceId: defaultWorkspaceIdFor(organizationId),
        name: defaultWorkspaceName(organizationId, attempt),
        isDefault: true,
        at,
      },
    },
    commandId: `default-workspace:${organizationId}:${attempt}`,
  };
}

/** A name already used by another workspace of the organization is tried again with a numbered suffix. */
export const retriesWithAnotherName = (error: unknown, attempt: number): boolean =>
  error instanceof DomainError && error.code === 'conflict' && error.details?.field === 'name' && attempt < DEFAULT_WORKSPACE_NAME_ATTEMPTS;

export interface DefaultWorkspace {
  readonly workspaceId: string;
  readonly workspaceName: string;
}

/** The default workspace step 4 created; null for a no-op (the directory had one already: see `defaultWorkspaceIn`). */
export function createdDefaultWorkspace(events: readonly WorkspaceEvent[]): DefaultWorkspace | null {
  const created = events.find((e) => e.type === 'WorkspaceCreated');
  return created ? { workspaceId: created.data.workspaceId, workspaceName: created.data.name } : null;
}

export function defaultWorkspaceIn(directory: WorkspaceDirectory): DefaultWorkspace {
  const workspaceId = directory.defaultWorkspaceId;
  const workspace = workspaceId === null ? undefined : directory.workspaces.get(workspaceId);
  if (workspaceId === null || !workspace) throw new DomainError('not_found', 'The organization has no default workspace');
  return { workspaceId, workspaceName: workspace.name };
}

/**
 * A slug is never handed out twice: any reservation on its stream or any history under the
 * organization id it derives refuses a new creation. The message names the slug only, not who held it.
 */
export const slugUsedBefore = (slug: string) =>
  new DomainError('conflict', `Organization slug "${slug}" is already taken or was used before; choose another`, { field: 'slug' });
