import { Command } from '@nestjs/cqrs';
import { gitHubDeliveryDecider, gitHubDeliveryStreamId, repositoryDecider, repositoryStreamId, type RepositoryState } from '#domain';
import { aggregateStream, handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
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

export type GitHubWebhookAnswer =
  | { readonly received: true; readonly deliveryId: string; readonly duplicate: true; readonly position: Position }
  | { readonly received: true; readonly deliveryId: string; readonly ignored: string }
  | {
      readonly received: true;
      readonly deliveryId: string;
      readonly event: string;
      readonly action: string | null;
      readonly position: Position;
      readonly [detail: string]: unknown;
    };

/** What the webhook route sends on the bus: one subclass per event it acts on, each with its handler. */
export abstract class GitHubDeliveryCommand extends Command<GitHubWebhookAnswer> {
  constructor(readonly delivery: GitHubDelivery) {
    super();
  }
}

/**
 * Every command a delivery causes takes its id from the delivery and the step, so acting on the
 * same delivery again (GitHub's redelivery after we failed to answer) replays instead of appending.
 */
export const deliveryContext = (delivery: GitHubDelivery, step: string): CommandContext => ({
  commandId: `github-delivery:${delivery.deliveryId}:${step}`,
  correlationId: delivery.deliveryId,
});

/**
 * Acts on a delivery once. Order: act first, record the delivery (`GitHubDeliveryReceived` on
 * `github-delivery-<id>`) last. A delivery already recorded is answered as a duplicate and appends
 * nothing. If the process dies between acting and recording, GitHub's redelivery (same id) acts
 * again, and every command it sends derives its id from the delivery (`deliveryContext`), so the
 * repeat replays what was stored instead of appending, then the delivery is recorded. Recording
 * first would instead turn that redelivery into a "duplicate" whose actions never happened.
 */
export async function actOnce(
  store: EventStore,
  delivery: GitHubDelivery,
  act: () => Promise<DeliveryOutcome>,
): Promise<GitHubWebhookAnswer> {
  const { deliveryId, event, action, at } = delivery;
  const streamId = gitHubDeliveryStreamId(deliveryId);
  const recorded = await aggregateStream(store, streamId, gitHubDeliveryDecider);
  if (recorded.state.received) return { received: true, deliveryId, duplicate: true, position: recorded.position! };
  const outcome = await act();
  if ('ignored' in outcome) return { received: true, deliveryId, ignored: outcome.ignored };
  // Appended after every action, so its position is at or past theirs: `?minPosition=` on it sees them all.
  const result = await handleCommand(
    store,
    streamId,
    gitHubDeliveryDecider,
    { type: 'RecordGitHubDelivery', data: { deliveryId, event, action, at } },
    deliveryContext(delivery, 'received'),
  );
  return { received: true, deliveryId, event, action, ...outcome.handled, position: result.position! };
}

/** The organization's repository stream, authoritative (no read model lag). */
export async function loadRepository(store: EventStore, organizationId: string, githubRepoId: string): Promise<RepositoryState> {
  return (await aggregateStream(store, repositoryStreamId(organizationId, githubRepoId), repositoryDecider)).state;
}
