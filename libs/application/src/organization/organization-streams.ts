import {
  installationsStreamId,
  organizationDecider,
  organizationSlugDecider,
  organizationSlugStreamId,
  organizationStreamId,
  workspaceDirectoryStreamId,
  type OrganizationCommand,
  type OrganizationState,
} from '#domain';
import { aggregateStream, handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';

/** Who holds a slug, from its reservation stream (never the read model); null when nobody does. */
export async function organizationIdForSlug(store: EventStore, slug: string): Promise<string | null> {
  return (await aggregateStream(store, organizationSlugStreamId(slug), organizationSlugDecider)).state.organizationId;
}

/** The organization's current state, folded from its stream (never the read model). */
export async function loadOrganization(
  store: EventStore,
  organizationId: string,
): Promise<{ state: OrganizationState; position: Position | null }> {
  const { state, position } = await aggregateStream(store, organizationStreamId(organizationId), organizationDecider);
  return { state, position };
}

/** Runs the commands as one decision (one append) and returns the organization as it is after it. */
export async function sendToOrganization(
  store: EventStore,
  organizationId: string,
  commands: OrganizationCommand | readonly OrganizationCommand[],
  context: CommandContext,
): Promise<{ state: OrganizationState; position: Position | null }> {
  const result = await handleCommand(store, organizationStreamId(organizationId), organizationDecider, commands, context);
  return { state: (await loadOrganization(store, organizationId)).state, position: result.position };
}

/**
 * Whether an organization id has history: an event on any stream keyed by it (the organization,
 * its workspace directory, its GitHub installations). With Clerk, ids are never reused and this
 * finds nothing. Streams keyed by a workspace or job hang off the workspace directory, so these
 * three cover all of an organization's data.
 */
export async function organizationHasHistory(store: EventStore, organizationId: string): Promise<boolean> {
  for (const streamId of [
    organizationStreamId(organizationId),
    workspaceDirectoryStreamId(organizationId),
    installationsStreamId(organizationId),
  ]) {
    if ((await store.streamHead(streamId)) !== null) return true;
  }
  return false;
}

/** The newest of the positions a sequence wrote: read-your-writes for every stream it touched. */
export function newestPosition(store: EventStore, ...positions: Array<Position | null>): Position | null {
  return positions.reduce<Position | null>((a, b) => (a === null ? b : b === null ? a : store.comparePositions(a, b) >= 0 ? a : b), null);
}
