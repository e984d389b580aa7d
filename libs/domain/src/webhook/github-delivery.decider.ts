import { assertNever, type Decider } from '../core/decider.js';
import type { GitHubDeliveryCommand } from './github-delivery.commands.js';
import type { GitHubDeliveryEvent } from './github-delivery.events.js';

export type GitHubDeliveryState =
  | { readonly received: false }
  | { readonly received: true; readonly event: string; readonly action: string | null; readonly receivedAt: string };

const initialState = (): GitHubDeliveryState => ({ received: false });

/** A delivery is recorded once: GitHub's redelivery of it (same id) changes nothing. */
function decide(command: GitHubDeliveryCommand, state: GitHubDeliveryState): GitHubDeliveryEvent[] {
  // A one-member union: switching on a copy of the tag is what makes a second member fail to compile.
  const type = command.type;
  switch (type) {
    case 'RecordGitHubDelivery': {
      if (state.received) return [];
      const { deliveryId, event, action, at } = command.data;
      return [{ type: 'GitHubDeliveryReceived', data: { deliveryId, event, action, receivedAt: at } }];
    }
    default:
      return assertNever(type);
  }
}

function evolve(state: GitHubDeliveryState, event: GitHubDeliveryEvent): GitHubDeliveryState {
  const type = event.type;
  switch (type) {
    case 'GitHubDeliveryReceived':
      return state.received
        ? state
        : { received: true, event: event.data.event, action: event.data.action, receivedAt: event.data.receivedAt };
    default:
      return assertNever(type);
  }
}

export const gitHubDeliveryDecider: Decider<GitHubDeliveryCommand, GitHubDeliveryEvent, GitHubDeliveryState> = {
  decide,
  evolve,
  initialState,
};
