import { randomUUID } from 'node:crypto';
import { findWorkspaceByName, seedJobCommandIdFor, jobDecider, jobStreamId, workspaceDecider, workspaceDirectoryStreamId } from '#domain';
import { aggregateStream, handleCommand, type EventStore } from '#event-store';
import { isConnectionLost, retryingConnectionLoss } from './connection-retry.js';
import { generateJobHistory } from './job-history.js';

export interface SeedJobsOptions {
  readonly organizationId: string;
  readonly workspaceName: string;
  readonly jobs: number;
  readonly days: number;
  readonly seed: number;
  readonly now?: Date;
  readonly concurrency?: number;
  readonly onProgress?: (done: number) => void;
  /** How long the database may stay unreachable before the run stops (default 60 s). */
  readonly outageBudgetMs?: number;
  /** Called when the connection is lost (once an outage): the commands in flight are being retried. */
  readonly onOutage?: (reason: string) => void;
}

/** The database stayed unreachable longer than the budget; everything written so far stands. */
export class SeedJobsInterruptedError extends Error {
  constructor(
    readonly done: number,
    readonly total: number,
    cause: unknown,
  ) {
    super(`the database connection was lost after ${done} of ${total} jobs and did not come back`, { cause });
    this.name = 'SeedJobsInterruptedError';
  }
}

/**
 * Writes a generated history through the real command path (decider, exact expected revision,
 * deterministic command ids), so running it twice with the same arguments appends nothing new. A
 * lost connection is retried: a command whose commit outcome was unknown is found by its command
 * id on the retry and not applied twice.
 */
export async function seedJobs(
  store: EventStore,
  options: SeedJobsOptions,
): Promise<{ workspaceId: string; jobs: number; position: string | null }> {
  const retrying = retryingConnectionLoss(options.outageBudgetMs ?? 60_000, options.onOutage);
  const workspaceId = await retrying(() => ensureWorkspace(store, options.organizationId, options.workspaceName));
  const history = generateJobHistory({ ...options, now: options.now ?? new Date(), workspaceId });
  let done = 0;
  let position: string | null = null;
  let failure: unknown = null;
  const worker = async () => {
    for (let next = history.next(); !next.done && failure === null; next = history.next()) {
      const job = next.value;
      const commandId = seedJobCommandIdFor(options.seed, workspaceId, job.index);
      // Each job is a stream of its own, new unless this run repeats or resumes another: one append
      // and no read per job (a repeated job's append answers as a duplicate and is read then).
      const result = await retrying(() =>
        handleCommand(store, jobStreamId(job.jobId), jobDecider, job.commands, { commandId, userId: 'seed-jobs' }, { newStream: true }),
      );
      if (result.position && (!position || store.comparePositions(result.position, position) > 0)) position = result.position;
      done++; // not inside `onProgress?.(…)`: an absent callback would skip evaluating its argument
      options.onProgress?.(done);
    }
  };
  // Every worker ends before this returns or throws: none may write after the caller closed the store.
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, () => worker().catch((error: unknown) => void (failure ??= error))));
  if (failure !== null) {
    if (isConnectionLost(failure)) throw new SeedJobsInterruptedError(done, options.jobs, failure);
    throw failure;
  }
  return { workspaceId, jobs: done, position };
}

/**
 * Shell words of a `seed-jobs` run that resumes this one: the same arguments with `--now` fixed,
 * so the jobs still to write get the timestamps they would have had.
 */
export function seedJobsCommandLine(args: {
  readonly org: string;
  readonly workspace: string;
  readonly jobs: number;
  readonly days: number;
  readonly seed: number;
  readonly now: Date;
  readonly concurrency: number;
}): string {
  const words = ['npm', 'run', 'console', '--', 'seed-jobs', '--org', args.org, '--workspace', args.workspace, '--jobs', String(args.jobs)];
  words.push(
    '--days',
    String(args.days),
    '--seed',
    String(args.seed),
    '--now',
    args.now.toISOString(),
    '--concurrency',
    String(args.concurrency),
  );
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Finds the workspace by name in its organization's stream (not the read model, which may lag). */
async function ensureWorkspace(store: EventStore, organizationId: string, name: string): Promise<string> {
  const streamId = workspaceDirectoryStreamId(organizationId);
  const existing = findWorkspaceByName((await aggregateStream(store, streamId, workspaceDecider)).state, name);
  if (existing) return existing;
  const workspaceId = randomUUID();
  await handleCommand(
    store,
    streamId,
    workspaceDecider,
    { type: 'CreateWorkspace', data: { organizationId, workspaceId, name, isDefault: false, at: new Date().toISOString() } },
    { commandId: randomUUID(), userId: 'seed-jobs' },
  );
  return workspaceId;
}
