import type { Command } from '../core/event.js';

export type RecordGitHubDelivery = Command<
  'RecordGitHubDelivery',
  { readonly deliveryId: string; readonly event: string; readonly action: string | null; readonly at: string }
>;

export type GitHubDeliveryCommand = RecordGitHubDelivery;
