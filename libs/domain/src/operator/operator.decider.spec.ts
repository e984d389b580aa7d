import { describe, it } from '@jest/globals';
import { specFor } from '#domain/testing';
import { deadLetterDecider, projectionRebuildDecider } from './operator.decider.js';
import type { DeadLetterEvent, ProjectionRebuildEvent } from './operator.events.js';

const AT = '2026-12-04T22:00:00.000Z';
const ref = {
  deadLetterId: '7',
  projection: 'jobs',
  generation: 1,
  eventId: 'e-1',
  eventPosition: '0000000000000001/0000000000000001',
  by: 'user_ops',
  at: AT,
};
const retry = (outcome: 'applied' | 'failed', error: string | null = null) => ({
  type: 'RecordDeadLetterRetry' as const,
  data: { ...ref, outcome, error },
});
const skip = { type: 'SkipDeadLetter' as const, data: ref };
const retried = (outcome: 'applied' | 'failed', error: string | null = null): DeadLetterEvent => ({
  type: 'DeadLetterRetried',
  data: { ...ref, outcome, error },
});
const skipped: DeadLetterEvent = { type: 'DeadLetterSkipped', data: ref };

describe('dead letter decider', () => {
  const spec = specFor(deadLetterDecider);

  describe('when open', () => {
    it('records a retry that applied', () =>
      spec
        .given([])
        .when(retry('applied'))
        .then([retried('applied')]));
    it('records a retry that failed again', () =>
      spec
        .given([])
        .when(retry('failed', 'boom'))
        .then([retried('failed', 'boom')]));
    it('records a skip', () => spec.given([]).when(skip).then([skipped]));
    it('stays open after a failed retry', () =>
      spec
        .given([retried('failed', 'boom')])
        .when(retry('applied'))
        .then([retried('applied')]));
  });

  describe('when resolved', () => {
    it('refuses a retry of an applied letter', () =>
      spec
        .given([retried('applied')])
        .when(retry('applied'))
        .thenThrows('conflict', 'already resolved'));
    it('refuses a skip of an applied letter', () =>
      spec
        .given([retried('applied')])
        .when(skip)
        .thenThrows('conflict'));
    it('refuses a retry of a skipped letter', () => spec.given([skipped]).when(retry('applied')).thenThrows('conflict', 'skipped'));
  });
});

describe('projection rebuild decider', () => {
  const spec = specFor(projectionRebuildDecider);
  const request = (requestId: string) => ({
    type: 'RequestProjectionRebuild' as const,
    data: { projection: 'jobs', requestId, requestedBy: 'user_ops', requestedAt: AT },
  });
  const requested = (requestId: string): ProjectionRebuildEvent => ({
    type: 'ProjectionRebuildRequested',
    data: { projection: 'jobs', requestId, requestedBy: 'user_ops', requestedAt: AT },
  });
  const complete = (requestId: string) => ({
    type: 'CompleteProjectionRebuild' as const,
    data: { projection: 'jobs', requestId, fromGeneration: 1, toGeneration: 2, events: 10, seconds: 0.5, at: AT },
  });
  const completed = (requestId: string): ProjectionRebuildEvent => ({
    type: 'ProjectionRebuildCompleted',
    data: { projection: 'jobs', requestId, fromGeneration: 1, toGeneration: 2, events: 10, seconds: 0.5, completedAt: AT },
  });

  it('accepts a request when none is pending', () =>
    spec
      .given([])
      .when(request('r1'))
      .then([requested('r1')]));
  it('refuses a second request while one is pending', () =>
    spec
      .given([requested('r1')])
      .when(request('r2'))
      .thenThrows('conflict', 'already running'));
  it('completes the pending request', () =>
    spec
      .given([requested('r1')])
      .when(complete('r1'))
      .then([completed('r1')]));
  it('ignores a completion of another request', () =>
    spec
      .given([requested('r1')])
      .when(complete('r0'))
      .then([]));
  it('accepts a new request once the last one finished', () =>
    spec
      .given([requested('r1'), completed('r1')])
      .when(request('r2'))
      .then([requested('r2')]));
  it('accepts a new request once the last one failed', () =>
    spec
      .given([
        requested('r1'),
        { type: 'ProjectionRebuildFailed', data: { projection: 'jobs', requestId: 'r1', error: 'x', failedAt: AT } },
      ])
      .when(request('r2'))
      .then([requested('r2')]));
});
