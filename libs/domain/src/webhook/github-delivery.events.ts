import type { DomainEvent } from '../core/event.js';

/** A GitHub webhook delivery that was acted on (`x-github-delivery`, `x-github-event`, the payload's `action`). */
export type GitHubDeliveryReceived = DomainEvent<
  'GitHubDeliveryReceived',
  { readonly deliveryId: string; readonly event: string; readonly action: string | null; readonly receivedAt: string }
>;

export type GitHubDeliveryEvent = GitHubDeliveryReceived;
export const GITHUB_DELIVERY_EVENT_TYPES: readonly GitHubDeliveryEvent['type'][] = ['GitHubDeliveryReceived'];

/** One stream per delivery: whether it was already handled is one read of a tiny stream. */
export const gitHubDeliveryStreamId = (deliveryId: string) => `github-delivery-${deliveryId}`;
