import type { Command } from '../core/event.js';
import type { JobTrigger } from './job.events.js';

/** `at` is the time the command takes effect: deciders never read the clock. */
export type QueueJob = Command<
  'QueueJob',
  {
    readonly jobId: string;
    readonly organizationId: string;
    readonly workspaceId: string;
    readonly repositoryId: string | null;
    readonly name: string;
    readonly trigger: JobTrigger;
    readonly triggeredBy: string | null;
    readonly input: Readonly<Record<string, unknown>>;
    readonly at: string;
  }
>;
export type StartJob = Command<'StartJob', { readonly at: string }>;
export type ReportJobProgress = Command<
  'ReportJobProgress',
  { readonly at: string; readonly processed: number; readonly total: number | null; readonly message: string | null }
>;
export type CompleteJob = Command<'CompleteJob', { readonly at: string; readonly output: Readonly<Record<string, unknown>> }>;
export type FailJob = Command<
  'FailJob',
  { readonly at: string; readonly error: { readonly message: string; readonly code: string | null } }
>;
export type CancelJob = Command<'CancelJob', { readonly at: string; readonly reason: string | null }>;

export type JobCommand = QueueJob | StartJob | ReportJobProgress | CompleteJob | FailJob | CancelJob;
