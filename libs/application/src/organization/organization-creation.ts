import {
  createdDefaultWorkspace,
  perStreamCommandIds,
  creationCommands,
  defaultWorkspaceCommand,
  defaultWorkspaceIn,
  organizationSlugDecider,
  organizationSlugStreamId,
  reportedSlugReservation,
  requireFreshOrganization,
  resumedOrganizationId,
  retriesWithAnotherName,
  workspaceDecider,
  workspaceDirectoryStreamId,
  type DefaultWorkspace,
  type OrganizationCommand,
  type OrganizationCreationRequest,
  type OrganizationFactSource,
  type OrganizationSlugEvent,
  type ReportedOrganization,
} from '#domain';
import { aggregateStream, handleCommand, readTypedStream, type CommandContext, type EventStore, type Position } from '#event-store';
import type { OrganizationDirectory } from '#adapters';
import { newestPosition, organizationHasHistory, sendToOrganization } from './organization-streams.js';

export interface RecordedOrganization {
  readonly organizationId: string;
  readonly slug: string;
  readonly name: string;
  readonly defaultWorkspace: DefaultWorkspace;
  /** The newest position written (or found, for a no-op): read-your-writes for every stream touched. */
  readonly position: Position | null;
}

/** How a fact from Clerk is recorded: its command ids derive from `commandId`, so a redelivery appends nothing. */
export interface FactContext {
  readonly commandId: string;
  readonly source: OrganizationFactSource;
  /** When the fact was true: Clerk's event time, or when we read Clerk. */
  readonly at: string;
  readonly userId?: string;
}

/**
 * `POST /v1/orgs`, `console token --create` and the `npm start` banner: slug reservation,
 * organization, default workspace (the steps are in organization-creation.workflow.ts). The
 * directory is called before anything is appended, so a refusal by Clerk leaves the store
 * untouched; a directory failure reaches the caller as the directory's own error.
 * `adoptHistory` is for the operator only: it creates the organization that local tokens for the
 * slug have always named, keeping what was recorded under it before it existed.
 */
export async function createOrganization(
  store: EventStore,
  directory: OrganizationDirectory,
  request: OrganizationCreationRequest,
  context: CommandContext,
  options: { readonly adoptHistory?: boolean } = {},
): Promise<RecordedOrganization> {
  const ids = perStreamCommandIds(context.commandId);
  const slugHistory = await readTypedStream<OrganizationSlugEvent>(store, organizationSlugStreamId(request.slug));
  let organizationId = resumedOrganizationId(request.slug, slugHistory, ids.slug);
  // Clerk's logo, when Clerk was asked (a resumed creation recorded it the first time).
  let imageUrl: string | null = null;
  if (organizationId === null) {
    const answered = await directory.createOrganization({ slug: request.slug, name: request.name, createdBy: request.userId });
    organizationId = answered.id;
    imageUrl = answered.imageUrl;
    requireFreshOrganization(request.slug, await organizationHasHistory(store, organizationId), options.adoptHistory ?? false);
  }
  const { reserve, create } = creationCommands(request, organizationId, directory.external, new Date().toISOString(), imageUrl);
  const reserved = await handleCommand(store, organizationSlugStreamId(request.slug), organizationSlugDecider, reserve, {
    ...context,
    commandId: ids.slug,
  });
  const created = await sendToOrganization(store, organizationId, create, { ...context, commandId: ids.organization });
  const workspace = await ensureDefaultWorkspace(store, organizationId);
  return {
    organizationId,
    slug: created.state.slug,
    name: created.state.name,
    defaultWorkspace: workspace.defaultWorkspace,
    position: newestPosition(store, reserved.position, created.position, workspace.position),
  };
}

/**
 * An organization as Clerk reports it (a webhook, a membership found on an authorization miss, the
 * answer to a rename or membership change): the same three streams as a creation, the slug held
 * by Clerk's word, `commands` applied to the organization in one append.
 */
export async function recordReportedOrganization(
  store: EventStore,
  organization: ReportedOrganization,
  commands: readonly OrganizationCommand[],
  fact: FactContext,
): Promise<RecordedOrganization> {
  const ids = perStreamCommandIds(fact.commandId);
  const reserved = await handleCommand(
    store,
    organizationSlugStreamId(organization.slug),
    organizationSlugDecider,
    reportedSlugReservation(organization, fact.at),
    {
      commandId: ids.slug,
      userId: fact.userId,
    },
  );
  const result = await sendToOrganization(store, organization.id, commands, { commandId: ids.organization, userId: fact.userId });
  const workspace = await ensureDefaultWorkspace(store, organization.id);
  return {
    organizationId: organization.id,
    slug: result.state.slug,
    name: result.state.name,
    defaultWorkspace: workspace.defaultWorkspace,
    position: newestPosition(store, reserved.position, result.position, workspace.position),
  };
}

/**
 * The organization's default workspace, created through the workspace command when it has none.
 * A name already used by another workspace of the organization gets a numbered suffix.
 */
export async function ensureDefaultWorkspace(
  store: EventStore,
  organizationId: string,
): Promise<{ defaultWorkspace: DefaultWorkspace; position: Position | null }> {
  const streamId = workspaceDirectoryStreamId(organizationId);
  for (let attempt = 1; ; attempt++) {
    const { command, commandId } = defaultWorkspaceCommand(organizationId, attempt, new Date().toISOString());
    try {
      const result = await handleCommand(store, streamId, workspaceDecider, command, { commandId });
      const defaultWorkspace =
        createdDefaultWorkspace(result.events) ?? defaultWorkspaceIn((await aggregateStream(store, streamId, workspaceDecider)).state);
      return { defaultWorkspace, position: result.position };
    } catch (error) {
      if (!retriesWithAnotherName(error, attempt)) throw error;
    }
  }
}
