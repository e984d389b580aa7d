import { describe, it } from '@jest/globals';
import { specFor } from '#domain/testing';
import { gitHubDeliveryDecider } from './github-delivery.decider.js';
import type { GitHubDeliveryEvent } from './github-delivery.events.js';

const spec = specFor(gitHubDeliveryDecider);
const record = (at: string) => ({ type: 'RecordGitHubDelivery' as const, data: { deliveryId: 'd-1', event: 'push', action: null, at } });
const received: GitHubDeliveryEvent = {
  type: 'GitHubDeliveryReceived',
  data: { deliveryId: 'd-1', event: 'push', action: null, receivedAt: '2026-01-01T10:00:00.000Z' },
};

describe('GitHub delivery decider', () => {
  it('records a delivery seen for the first time', () => spec.given([]).when(record('2026-01-01T10:00:00.000Z')).then([received]));

  it('records nothing for a redelivery, whenever it comes', () => spec.given([received]).when(record('2026-01-02T10:00:00.000Z')).then([]));
});
