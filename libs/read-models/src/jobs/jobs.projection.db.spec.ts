import { describe, it } from '@jest/globals';
import { jobDecider, jobStreamId, type JobCommand } from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing';
import { jobsProjection } from './jobs.projection.js';

const spec = useProjectionSpec(jobsProjection);

const queue = (jobId: string, at: string, extra: Partial<Extract<JobCommand, { type: 'QueueJob' }>['data']> = {}): JobCommand => ({
  type: 'QueueJob',
  data: { jobId, organizationId: 'org-1', workspaceId: 'ws-1', repositoryId: null, name: `job ${jobId}`, trigger: 'manual', triggeredBy: null, input: {}, at, ...extra },
});

/**
 * A history that touches every event type, interleaved across streams so one batch holds the
 * whole life of some jobs and only part of others.
 */
function history() {
  const log = new EventLog();
  const send = (jobId: string, command: JobCommand) => log.decide(jobStreamId(jobId), jobDecider, command);
  send('job-1', queue('job-1', '2025-03-01T10:00:00.000Z', { input: { branch: 'main', depth: 1 } }));
  send('job-2', queue('job-2', '2025-03-01T10:05:00.000Z'));
  send('job-1', { type: 'StartJob', data: { at: '2025-03-01T10:01:00.000Z' } });
  send('job-3', queue('job-3', '2025-03-01T11:00:00.000Z', { workspaceId: 'ws-2', repositoryId: 'repo-9', trigger: 'webhook', triggeredBy: 'user-1' }));
  send('job-1', { type: 'ReportJobProgress', data: { at: '2025-03-01T10:02:00.000Z', processed: 5, total: 10, message: 'half way' } });
  send('job-2', { type: 'FailJob', data: { at: '2025-03-01T10:06:00.000Z', error: { message: 'no runner available', code: 'E_NO_RUNNER' } } });
  send('job-3', { type: 'StartJob', data: { at: '2025-03-01T11:00:30.000Z' } });
  send('job-1', { type: 'CompleteJob', data: { at: '2025-03-01T10:03:00.000Z', output: { artifacts: 2 } } });
  send('job-4', queue('job-4', '2025-03-01T12:00:00.000Z', { trigger: 'scheduled' }));
  send('job-3', { type: 'CancelJob', data: { at: '2025-03-01T11:01:00.000Z', reason: 'superseded' } });
  send('job-5', queue('job-5', '2025-03-01T13:00:00.000Z'));
  send('job-5', { type: 'StartJob', data: { at: '2025-03-01T13:00:01.000Z' } });
  send('job-5', { type: 'FailJob', data: { at: '2025-03-01T13:00:03.500Z', error: { message: 'exit code 1', code: null } } });
  return log.events;
}

const date = (iso: string) => new Date(iso);
const base = { organization_id: 'org-1', workspace_id: 'ws-1', repository_id: null, trigger: 'manual', triggered_by: null, input: {}, output: null, progress: null, error_message: null, error_code: null, started_at: null, completed_at: null, duration_ms: null };

const expectedRows = [
  {
    ...base,
    id: 'job-1',
    name: 'job job-1',
    status: 'completed',
    input: { branch: 'main', depth: 1 },
    output: { artifacts: 2 },
    progress: { processed: 5, total: 10, message: 'half way', at: '2025-03-01T10:02:00.000Z' },
    created_at: date('2025-03-01T10:00:00.000Z'),
    started_at: date('2025-03-01T10:01:00.000Z'),
    completed_at: date('2025-03-01T10:03:00.000Z'),
    duration_ms: '120000', // bigint comes back as a string
    updated_at: date('2025-03-01T10:03:00.000Z'),
  },
  {
    ...base,
    id: 'job-2',
    name: 'job job-2',
    status: 'failed',
    error_message: 'no runner available',
    error_code: 'E_NO_RUNNER',
    created_at: date('2025-03-01T10:05:00.000Z'),
    completed_at: date('2025-03-01T10:06:00.000Z'),
    updated_at: date('2025-03-01T10:06:00.000Z'),
  },
  {
    ...base,
    id: 'job-3',
    name: 'job job-3',
    workspace_id: 'ws-2',
    repository_id: 'repo-9',
    trigger: 'webhook',
    triggered_by: 'user-1',
    status: 'cancelled',
    output: { reason: 'superseded' },
    created_at: date('2025-03-01T11:00:00.000Z'),
    started_at: date('2025-03-01T11:00:30.000Z'),
    completed_at: date('2025-03-01T11:01:00.000Z'),
    updated_at: date('2025-03-01T11:01:00.000Z'),
  },
  { ...base, id: 'job-4', name: 'job job-4', status: 'queued', trigger: 'scheduled', created_at: date('2025-03-01T12:00:00.000Z'), updated_at: date('2025-03-01T12:00:00.000Z') },
  {
    ...base,
    id: 'job-5',
    name: 'job job-5',
    status: 'failed',
    error_message: 'exit code 1',
    created_at: date('2025-03-01T13:00:00.000Z'),
    started_at: date('2025-03-01T13:00:01.000Z'),
    completed_at: date('2025-03-01T13:00:03.500Z'),
    duration_ms: '2500',
    updated_at: date('2025-03-01T13:00:03.500Z'),
  },
];

describe('jobs projection', () => {
  it('writes one row per job with its whole life: progress, output, errors and durations', () => spec.given(history()).then(expectedRows));

  describeProjectionContract(spec, history);
});
