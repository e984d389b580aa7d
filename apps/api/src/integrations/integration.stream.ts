import { DomainError, integrationDecider, integrationStreamId, type IntegrationCommand, type IntegrationEvent } from '#domain';
import { handleCommand, type CommandContext, type CommandResult, type EventStore } from '#event-store';
import { badRequest } from '../common/api-error.js';

/**
 * Every integration command goes to one user's own integration stream, so another user's
 * integration or resource is simply not there: a 404, with no ownership query.
 */
export async function sendToIntegrationStream(
  eventStore: EventStore,
  userId: string,
  command: IntegrationCommand,
  context: CommandContext,
): Promise<CommandResult<IntegrationEvent>> {
  try {
    return await handleCommand(eventStore, integrationStreamId(userId), integrationDecider, command, context);
  } catch (error) {
    // A rule the DTO checks too, hit by a request that got past it: the same 400 shape, naming the field.
    const field = error instanceof DomainError && error.code === 'invalid' ? error.details?.field : undefined;
    if (typeof field === 'string') throw badRequest(field, error instanceof Error ? error.message : String(error));
    throw error;
  }
}
