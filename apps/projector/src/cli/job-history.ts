import { JOB_TRIGGERS, type JobCommand, type JobTrigger } from '#domain';

/**
 * A realistic, reproducible job history: the same seed gives the same jobs, ids and timestamps
 * (for a given `now`). Outcomes are mixed, durations log-normal, creation times spread uniformly
 * over the last `days` days; jobs whose end lies after `now` are still running or queued.
 */
export interface JobHistoryOptions {
  readonly seed: number;
  readonly jobs: number;
  readonly days: number;
  readonly now: Date;
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly repositories?: number;
}

export interface GeneratedJob {
  readonly index: number;
  readonly jobId: string;
  readonly commands: readonly JobCommand[];
}

export function* generateJobHistory(options: JobHistoryOptions): Generator<GeneratedJob> {
  const random = mulberry32(options.seed);
  const now = options.now.getTime();
  const span = options.days * 86_400_000;
  const repositories = Array.from({ length: options.repositories ?? 5 }, (_, k) => `repo_${options.seed}_${k}`);
  for (let index = 0; index < options.jobs; index++) {
    const jobId = `job_${options.seed}_${options.workspaceId.slice(0, 8)}_${index}`;
    const queuedAt = now - Math.floor(random() * span);
    const repositoryId = random() < 0.15 ? null : repositories[Math.floor(random() * repositories.length)]!;
    const trigger: JobTrigger = JOB_TRIGGERS[Math.floor(random() * JOB_TRIGGERS.length)]!;
    const commands: JobCommand[] = [
      {
        type: 'QueueJob',
        data: {
          jobId,
          organizationId: options.organizationId,
          workspaceId: options.workspaceId,
          repositoryId,
          name: repositoryId ? `Docs Ingestion: acme/${repositoryId}` : 'Docs Ingestion',
          trigger,
          triggeredBy: trigger === 'manual' ? 'user_seed' : null,
          input: { seed: options.seed, index },
          at: iso(queuedAt),
        },
      },
    ];
    const startedAt = queuedAt + Math.round(logNormal(random, 2_000, 1.0));
    const outcome = random();
    if (outcome < 0.03) {
      if (startedAt < now && random() < 0.5)
        commands.push({ type: 'CancelJob', data: { at: iso(Math.min(now, startedAt)), reason: 'seeded' } });
      else if (outcome < 0.01)
        commands.push({
          type: 'FailJob',
          data: { at: iso(Math.min(now, startedAt)), error: { message: 'lightfast.yml not found', code: 'config_missing' } },
        });
      yield { index, jobId, commands };
      continue;
    }
    if (startedAt >= now) {
      yield { index, jobId, commands }; // still queued
      continue;
    }
    commands.push({ type: 'StartJob', data: { at: iso(startedAt) } });
    const endedAt = startedAt + Math.min(6 * 3_600_000, Math.round(logNormal(random, 45_000, 1.2)));
    if (endedAt >= now) {
      yield { index, jobId, commands }; // still running
      continue;
    }
    if (outcome < 0.88)
      commands.push({ type: 'CompleteJob', data: { at: iso(endedAt), output: { documentsProcessed: Math.floor(random() * 200) } } });
    else if (outcome < 0.96)
      commands.push({
        type: 'FailJob',
        data: { at: iso(endedAt), error: { message: 'GitHub API rate limit exceeded', code: 'github_rate_limited' } },
      });
    else commands.push({ type: 'CancelJob', data: { at: iso(endedAt), reason: 'seeded' } });
    yield { index, jobId, commands };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Log-normal with the given median; sigma is the spread of its logarithm. */
function logNormal(random: () => number, median: number, sigma: number): number {
  const u = Math.max(random(), Number.EPSILON);
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * normal);
}

/** Small, fast, seedable PRNG (public domain); Math.random cannot be seeded. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
