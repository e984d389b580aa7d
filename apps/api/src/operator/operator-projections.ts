import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { EventStore } from '#event-store';
import {
  EVENT_STORE,
  PROJECTOR_POOL,
  projectionLockHolders,
  projectionRebuildState,
  projectionStatus,
  projectorProcesses,
  rebuildProgress,
  type RebuildProgress,
} from '#runtime';

export type ProjectionRunState = 'running' | 'stalled' | 'rebuilding' | 'stopped';

export interface OperatorProjection {
  readonly name: string;
  readonly generation: number;
  readonly position: string;
  readonly eventsProcessed: number;
  readonly lagEvents: number | null;
  readonly lagSeconds: number | null;
  /** Null on the first look: a rate needs two samples (see `rate`). */
  readonly eventsPerSecond: number | null;
  readonly status: ProjectionRunState;
  readonly activeProcess: string | null;
  /** Live projector processes standing by for it, from their heartbeats (`projector_processes`). */
  readonly standbyProcesses: number;
  /** Live projector processes running it (`active`, by their heartbeat; the lock holder above is the truth) or standing by. */
  readonly processes: readonly ProjectionProcess[];
  readonly deadLetters: number;
  readonly updatedAt: string;
  readonly rebuild: RebuildProgress | null;
}

export interface ProjectionProcess {
  readonly processId: string;
  readonly host: string;
  readonly pid: number;
  readonly role: 'active' | 'standby';
  readonly lastSeenAt: string;
}

/** A projection with unapplied events whose checkpoint has not moved for this long is stalled (the runner's watchdog default). */
const STALLED_AFTER_MS = 30_000;
/** Samples closer together than this give a noisy rate: the older one is kept. */
const MIN_SAMPLE_GAP_MS = 1000;

/**
 * The operator's view of every projection. events/s is the change of `events_processed` between two
 * looks from this api process (the console refreshes every few seconds, so its second look has a
 * rate); the daemon's own per-batch rate lives in its process, on its /metrics.
 */
@Injectable()
export class OperatorProjections {
  private readonly samples = new Map<string, { generation: number; events: number; at: number; rate: number | null }>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR_POOL) private readonly pool: pg.Pool,
  ) {}

  async list(): Promise<OperatorProjection[]> {
    const statuses = await projectionStatus(this.store, this.pool);
    const [holders, processes, rebuilds] = await Promise.all([
      projectionLockHolders(this.pool, statuses),
      projectorProcesses(this.pool),
      Promise.all(statuses.map((s) => projectionRebuildState(this.store, s.name))),
    ]);
    const now = Date.now();
    return Promise.all(
      statuses.map(async (s, index) => {
        const pending = rebuilds[index]!.pending;
        const rebuild = pending ? await rebuildProgress({ store: this.store, db: this.pool }, s.name, s.generation, pending) : null;
        const activeProcess = holders.get(s.name) ?? null;
        const status: ProjectionRunState = rebuild
          ? 'rebuilding'
          : !activeProcess
            ? 'stopped'
            : (s.lagEvents ?? 0) > 0 && now - Date.parse(s.updatedAt) > STALLED_AFTER_MS
              ? 'stalled'
              : 'running';
        const running: ProjectionProcess[] = processes.flatMap((p) =>
          (['active', 'standby'] as const)
            .filter((role) => p[role].includes(s.name))
            .map((role) => ({ processId: p.processId, host: p.host, pid: p.pid, role, lastSeenAt: p.lastSeenAt })),
        );
        return {
          ...s,
          eventsPerSecond: this.rate(s.name, s.generation, s.eventsProcessed, now),
          status,
          activeProcess,
          standbyProcesses: running.filter((p) => p.role === 'standby').length,
          processes: running,
          rebuild,
        };
      }),
    );
  }

  private rate(name: string, generation: number, events: number, now: number): number | null {
    const previous = this.samples.get(name);
    if (previous && previous.generation === generation && now - previous.at < MIN_SAMPLE_GAP_MS) return previous.rate;
    const rate =
      previous && previous.generation === generation ? Math.max(0, (events - previous.events) / ((now - previous.at) / 1000)) : null;
    this.samples.set(name, { generation, events, at: now, rate });
    return rate;
  }
}
