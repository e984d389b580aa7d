import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import { specFor } from '#domain/testing';
import type { JobCommand } from './job.commands.js';
import { jobDecider } from './job.decider.js';
import type { JobCancelled, JobCompleted, JobEvent, JobFailed, JobProgressed, JobQueued, JobStarted } from './job.events.js';

const spec = specFor(jobDecider);

const queuedAt = '2026-01-01T10:00:00.000Z';
const startedAt = '2026-01-01T10:00:05.000Z';
const later = '2026-01-01T10:01:05.000Z';
const ref = { jobId: 'job-1', workspaceId: 'ws-1', queuedAt };

// The helper compares JSON, so fixtures list keys in the order the decider writes them.
const queued: JobQueued = {
  type: 'JobQueued',
  data: {
    jobId: 'job-1',
    organizationId: 'org-1',
    workspaceId: 'ws-1',
    repositoryId: 'repo-1',
    name: 'reindex',
    trigger: 'manual',
    triggeredBy: 'user-1',
    input: { full: true },
    queuedAt,
  },
};
const started: JobStarted = { type: 'JobStarted', data: { ...ref, startedAt } };
const progressed: JobProgressed = { type: 'JobProgressed', data: { ...ref, at: later, processed: 10, total: 100, message: 'indexing' } };
const completed: JobCompleted = { type: 'JobCompleted', data: { ...ref, completedAt: later, durationMs: 60_000, output: { files: 100 } } };
const failedWhileQueued: JobFailed = {
  type: 'JobFailed',
  data: { ...ref, from: 'queued', failedAt: later, durationMs: null, error: { message: 'no runner', code: null } },
};
const cancelledWhileQueued: JobCancelled = { type: 'JobCancelled', data: { ...ref, from: 'queued', cancelledAt: later, reason: null } };

const queue: JobCommand = {
  type: 'QueueJob',
  data: {
    jobId: 'job-1',
    organizationId: 'org-1',
    workspaceId: 'ws-1',
    repositoryId: 'repo-1',
    name: 'reindex',
    trigger: 'manual',
    triggeredBy: 'user-1',
    input: { full: true },
    at: queuedAt,
  },
};
const start = (at: string): JobCommand => ({ type: 'StartJob', data: { at } });
const progress = (at: string): JobCommand => ({ type: 'ReportJobProgress', data: { at, processed: 10, total: 100, message: 'indexing' } });
const complete = (at: string): JobCommand => ({ type: 'CompleteJob', data: { at, output: { files: 100 } } });
const fail = (at: string): JobCommand => ({ type: 'FailJob', data: { at, error: { message: 'no runner', code: null } } });
const cancel = (at: string, reason: string | null = null): JobCommand => ({ type: 'CancelJob', data: { at, reason } });

describe('job decider', () => {
  describe('when the job does not exist', () => {
    it('queues it, recording the command time as queuedAt', () => {
      spec.given([]).when(queue).then([queued]);
    });

    it.each([
      ['start', start(later)],
      ['report progress', progress(later)],
      ['complete', complete(later)],
      ['fail', fail(later)],
      ['cancel', cancel(later)],
    ])('refuses to %s it as not found', (_, command) => {
      spec.given([]).when(command).thenThrows('not_found');
    });
  });

  describe('when queued', () => {
    const history: JobEvent[] = [queued];

    it('refuses to queue it again', () => {
      spec.given(history).when(queue).thenThrows('conflict', 'job-1');
    });

    it('starts it', () => {
      spec.given(history).when(start(startedAt)).then([started]);
    });

    it('starts it at the very time it was queued', () => {
      spec
        .given(history)
        .when(start(queuedAt))
        .then([{ type: 'JobStarted', data: { ...ref, startedAt: queuedAt } }]);
    });

    it('rejects a start time before the job was queued', () => {
      spec.given(history).when(start('2026-01-01T09:59:59.999Z')).thenThrows('invalid');
    });

    it('refuses progress because the job is not running', () => {
      spec.given(history).when(progress(later)).thenThrows('refused', 'Cannot report progress of job with status: queued');
    });

    it('refuses to complete it because it never started', () => {
      spec.given(history).when(complete(later)).thenThrows('refused', 'Cannot complete job with status: queued');
    });

    it('fails it without a duration and records the error', () => {
      spec.given(history).when(fail(later)).then([failedWhileQueued]);
    });

    it('cancels it, recording when and from which status', () => {
      spec.given(history).when(cancel(later)).then([cancelledWhileQueued]);
    });

    it('keeps the reason given for a cancellation', () => {
      spec
        .given(history)
        .when(cancel(later, 'superseded'))
        .then([{ type: 'JobCancelled', data: { ...ref, from: 'queued', cancelledAt: later, reason: 'superseded' } }]);
    });

    it('rejects a cancellation time before the job was queued', () => {
      spec.given(history).when(cancel('2026-01-01T09:00:00.000Z')).thenThrows('invalid');
    });
  });

  describe('when running', () => {
    const history: JobEvent[] = [queued, started];

    it('refuses to queue it again', () => {
      spec.given(history).when(queue).thenThrows('conflict');
    });

    it('refuses to start it again', () => {
      spec.given(history).when(start(later)).thenThrows('refused', 'Cannot start job with status: running');
    });

    it('reports progress', () => {
      spec.given(history).when(progress(later)).then([progressed]);
    });

    it('reports progress with an unknown total and no message', () => {
      spec
        .given(history)
        .when({ type: 'ReportJobProgress', data: { at: later, processed: 3, total: null, message: null } })
        .then([{ type: 'JobProgressed', data: { ...ref, at: later, processed: 3, total: null, message: null } }]);
    });

    it('completes it with durationMs = completedAt − startedAt', () => {
      spec.given(history).when(complete(later)).then([completed]);
    });

    it('completes it with a zero duration at the very time it started', () => {
      spec
        .given(history)
        .when({ type: 'CompleteJob', data: { at: startedAt, output: {} } })
        .then([{ type: 'JobCompleted', data: { ...ref, completedAt: startedAt, durationMs: 0, output: {} } }]);
    });

    it('fails it with a duration and records the error', () => {
      spec
        .given(history)
        .when({ type: 'FailJob', data: { at: later, error: { message: 'out of memory', code: 'OOM' } } })
        .then([
          {
            type: 'JobFailed',
            data: { ...ref, from: 'running', failedAt: later, durationMs: 60_000, error: { message: 'out of memory', code: 'OOM' } },
          },
        ]);
    });

    it('cancels it, recording when and from which status', () => {
      spec
        .given(history)
        .when(cancel(later, 'user request'))
        .then([{ type: 'JobCancelled', data: { ...ref, from: 'running', cancelledAt: later, reason: 'user request' } }]);
    });

    // Once running, the start (not the queue time) is the earliest valid time.
    it.each([
      ['report progress', progress('2026-01-01T10:00:04.999Z')],
      ['complete', complete('2026-01-01T10:00:04.999Z')],
      ['fail', fail('2026-01-01T10:00:04.999Z')],
      ['cancel', cancel('2026-01-01T10:00:04.999Z')],
    ])('rejects an attempt to %s at a time before it started', (_, command) => {
      spec.given(history).when(command).thenThrows('invalid');
    });
  });

  describe('when running with progress reported', () => {
    it('still completes it', () => {
      spec.given([queued, started, progressed]).when(complete(later)).then([completed]);
    });
  });

  describe.each([
    ['when completed', [queued, started, completed], 'completed'],
    ['when failed', [queued, failedWhileQueued], 'failed'],
    ['when cancelled', [queued, cancelledWhileQueued], 'cancelled'],
  ] as const)('%s', (_, history, status) => {
    const events: JobEvent[] = [...history];

    it('refuses to cancel it', () => {
      spec.given(events).when(cancel(later)).thenThrows('refused', `Cannot cancel job with status: ${status}`);
    });

    it('refuses to start it', () => {
      spec.given(events).when(start(later)).thenThrows('refused', `Cannot start job with status: ${status}`);
    });

    it('refuses progress', () => {
      spec.given(events).when(progress(later)).thenThrows('refused');
    });

    it('refuses to complete it', () => {
      spec.given(events).when(complete(later)).thenThrows('refused', `Cannot complete job with status: ${status}`);
    });

    it('refuses to fail it', () => {
      spec.given(events).when(fail(later)).thenThrows('refused', `Cannot fail job with status: ${status}`);
    });

    it('refuses to queue it again', () => {
      spec.given(events).when(queue).thenThrows('conflict');
    });
  });

  describe('fold', () => {
    it('starts from no job', () => {
      expect(fold(jobDecider, [])).toEqual({ status: 'none' });
    });

    it('gives a queued job before it starts', () => {
      expect(fold(jobDecider, [queued])).toEqual({ status: 'queued', jobId: 'job-1', workspaceId: 'ws-1', queuedAt, startedAt: null });
    });

    it('gives the final state of a full history', () => {
      expect(fold(jobDecider, [queued, started, progressed, progressed, completed])).toEqual({
        status: 'completed',
        jobId: 'job-1',
        workspaceId: 'ws-1',
        queuedAt,
        startedAt,
      });
    });

    it('keeps the start time of a job cancelled while running', () => {
      const cancelledWhileRunning: JobCancelled = {
        type: 'JobCancelled',
        data: { ...ref, from: 'running', cancelledAt: later, reason: null },
      };
      expect(fold(jobDecider, [queued, started, cancelledWhileRunning])).toMatchObject({ status: 'cancelled', startedAt });
    });

    it('ignores events of a job that was never queued instead of throwing', () => {
      expect(fold(jobDecider, [started, completed])).toEqual({ status: 'none' });
    });
  });
});
