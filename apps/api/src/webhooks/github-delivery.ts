import { repositoryDecider, repositoryStreamId, type RepositoryState } from '#domain';
import { aggregateStream, type CommandContext, type EventStore } from '#event-store';
import type { Payload } from './github-webhook-payload.js';

/** One verified delivery, as the handlers see it. `at` is when it arrived: every command's time. */
export interface GitHubDelivery {
  readonly deliveryId: string;
  readonly event: string;
  readonly action: string | null;
  readonly payload: Payload;
  readonly at: string;
}

/** Ignored: nothing was appended, and the delivery is not recorded (a redelivery is judged afresh). */
export type DeliveryOutcome = { readonly ignored: string } | { readonly handled: Readonly<Record<string, unknown>> };

/**
 * Every command a delivery causes takes its id from the delivery and the step, so acting on the
 * same delivery again (GitHub's redelivery after we failed to answer) replays instead of appending.
 */
export const deliveryContext = (delivery: GitHubDelivery, step: string): CommandContext => ({
  commandId: `github-delivery:${delivery.deliveryId}:${step}`,
  correlationId: delivery.deliveryId,
});

/** The organization's repository stream, authoritative (no read model lag). */
export async function loadRepository(store: EventStore, organizationId: string, githubRepoId: string): Promise<RepositoryState> {
  return (await aggregateStream(store, repositoryStreamId(organizationId, githubRepoId), repositoryDecider)).state;
}

export type ConnectedRepository = Exclude<RepositoryState, { status: 'none' }>;
