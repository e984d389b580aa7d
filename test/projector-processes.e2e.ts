import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createLogger } from '#adapters';
import { PostgresEventStore } from '#event-store';
import { ProjectorDaemon } from '../apps/projector/src/projector.daemon.js';
import { startTestApp, type TestApp } from './support/app.js';
import { waitUntil } from './support/console-processes.js';

/**
 * Issue 14, "standby/active process": two projector daemons on one database each record themselves
 * in `projector_processes`; the operator's projection list shows one active and one standby per
 * projection, and after the active daemon stops, the other one as active and nobody standing by.
 */

const OPERATOR = 'user_ops';
const HEARTBEAT_MS = 100;
const logger = createLogger('test', 'silent');

interface Listed {
  name: string;
  activeProcess: string | null;
  standbyProcesses: number;
  processes: Array<{ processId: string; host: string; pid: number; role: 'active' | 'standby'; lastSeenAt: string }>;
}

let app: TestApp;
let operator: string;
let first: ProjectorDaemon;
let second: ProjectorDaemon;
let secondPool: pg.Pool;
let secondStore: PostgresEventStore;

beforeAll(async () => {
  app = await startTestApp({ projector: false, config: { operatorUserIds: [OPERATOR] } });
  operator = await app.token({ userId: OPERATOR, org: 'ops-org', role: 'admin' });
  const { runtime } = app;
  first = new ProjectorDaemon({
    store: runtime.store,
    pool: runtime.projectorPool,
    connectionString: runtime.databaseUrl,
    logger,
    heartbeatMs: HEARTBEAT_MS,
  });
  await first.start();
  await waitUntil('every projection of the first daemon runs', async () => first.runners.every((r) => r.state === 'running'), 30_000);
  // A second projector process: connections of its own, so the first one's advisory locks keep it standing by.
  secondPool = new pg.Pool({ connectionString: runtime.databaseUrl, max: first.runners.length + 4, application_name: 'second-projector' });
  secondPool.on('error', () => undefined);
  secondStore = new PostgresEventStore({ connectionString: runtime.databaseUrl });
  second = new ProjectorDaemon({
    store: secondStore,
    pool: secondPool,
    connectionString: runtime.databaseUrl,
    logger,
    heartbeatMs: HEARTBEAT_MS,
  });
  await second.start();
}, 60_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await secondPool?.end();
  await secondStore?.close();
  await app?.close();
});

const list = async (): Promise<Listed[]> => {
  const response = await app.request('GET', '/v1/operator/projections', { token: operator });
  expect(response.status).toBe(200);
  return response.body.projections;
};

describe('projector process heartbeats in GET /v1/operator/projections', () => {
  it('shows one active and one standby process per projection, and the standby as active once the first daemon stops', async () => {
    const [firstId, secondId] = [first.heartbeat.processId, second.heartbeat.processId];
    const names = first.runners.map((r) => r.name).sort();
    const roles = (projections: Listed[]) =>
      projections.every((p) => p.processes.length > 0) &&
      Object.fromEntries(projections.map((p) => [p.name, p.processes.map((x) => `${x.role}:${x.processId}`).sort()]));

    const both = await waitUntil(
      'one active and one standby process listed per projection',
      async () => {
        const projections = await list();
        const seen = roles(projections);
        return seen && Object.values(seen).every((r) => r.length === 2 && r.includes(`standby:${secondId}`)) && projections;
      },
      30_000,
    );
    expect(both.map((p) => p.name).sort()).toEqual(names);
    for (const projection of both) {
      expect(projection.standbyProcesses).toBe(1);
      expect(projection.activeProcess).toMatch(/\(pid \d+/);
      expect(projection.activeProcess).not.toMatch(/^second-projector/);
      expect(projection.processes).toEqual([
        { processId: firstId, host: expect.any(String), pid: process.pid, role: 'active', lastSeenAt: expect.any(String) },
        { processId: secondId, host: expect.any(String), pid: process.pid, role: 'standby', lastSeenAt: expect.any(String) },
      ]);
    }

    await first.stop();
    // A clean stop deletes its row at once; the second daemon takes each lock at its next standby attempt.
    const after = await waitUntil(
      'the second daemon listed as the only, active, process',
      async () => {
        const projections = await list();
        const seen = roles(projections);
        return (
          seen &&
          Object.values(seen).every((r) => r.length === 1 && r[0] === `active:${secondId}`) &&
          projections.every((p) => p.activeProcess?.startsWith('second-projector')) &&
          projections
        );
      },
      30_000,
    );
    for (const projection of after) {
      expect(projection.standbyProcesses).toBe(0);
      expect(projection.processes).toEqual([
        { processId: secondId, host: expect.any(String), pid: process.pid, role: 'active', lastSeenAt: expect.any(String) },
      ]);
    }
  });

  it('leaves out a process that missed three heartbeats (killed without a clean stop)', async () => {
    await app.runtime.dataSource.query(
      `INSERT INTO projector_processes (process_id, host, pid, started_at, last_seen_at, heartbeat_ms, active, standby)
       VALUES ('gone', 'elsewhere', 1, now() - interval '1 minute', now() - interval '1 second', $1, '{}', ARRAY['jobs'])`,
      [HEARTBEAT_MS],
    );
    const jobs = (await list()).find((p) => p.name === 'jobs')!;
    expect(jobs.processes.map((p) => p.processId)).not.toContain('gone');
    expect(jobs.standbyProcesses).toBe(0);
  });
});
