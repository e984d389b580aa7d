import { randomUUID } from 'node:crypto';
import { findWorkspaceByName, seedJobCommandIdFor, jobDecider, jobStreamId, workspaceDecider, workspaceDirectoryStreamId } from '#domain';
import { aggregateStream, handleCommand, type EventStore } from '#event-store';
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
}

/**
 * Writes a generated history through the real command path (decider, exact expected revision,
 * deterministic command ids), so running it twice with the same arguments appends nothing new.
 */
export async function seedJobs(
  store: EventStore,
  options: SeedJobsOptions,
): Promise<{ workspaceId: string; jobs: number; position: string | null }> {
  const workspaceId = await ensureWorkspace(store, options.organizationId, options.workspaceName);
  const history = generateJobHistory({ ...options, now: options.now ?? new Date(), workspaceId });
  let done = 0;
  let position: string | null = null;
  const worker = async () => {
    for (let next = history.next(); !next.done; next = history.next()) {
      const job = next.value;
      const commandId = seedJobCommandIdFor(options.seed, workspaceId, job.index);
      const result = await handleCommand(store, jobStreamId(job.jobId), jobDecider, job.commands, { commandId, userId: 'seed-jobs' });
      if (result.position && (!position || store.comparePositions(result.position, position) > 0)) position = result.position;
      done++; // not inside `onProgress?.(…)`: an absent callback would skip evaluating its argument
      options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return { workspaceId, jobs: done, position };
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
