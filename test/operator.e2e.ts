import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { userInfo } from 'node:os';
import { jobDecider, jobStreamId, type JobCommand } from '#domain';
import { handleCommand } from '#event-store';
import { ConsoleSignIn } from '../apps/api/src/operator/console-sign-in.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startConsoleProcess, waitUntil } from './support/console-processes.js';
import { waitForReadModel } from './support/wait-for-job.js';

/**
 * The operator API (issue 14): projections with rebuild, dead letters with retry and skip (each an
 * audited command), the event browser, the ingestion queue, and the console's one-time sign-in.
 * Dead letters are produced for real: a CHECK constraint on the jobs projection's table refuses a
 * job name, as a transient fault would, and the runner dead-letters the event.
 */

const OPERATOR = 'user_ops';
const ORG_ADMIN = 'user_org_admin';
const ORG_ID = 'org_local_ops-org';
const POISON_NAME = 'poison-job';

let app: TestApp;
let operator: string;
let orgAdmin: string;
let operatorKey: string;
let workspaceId: string;

const queueJob = (jobId: string, name: string, input: Record<string, unknown> = {}): JobCommand => ({
  type: 'QueueJob',
  data: {
    jobId,
    organizationId: ORG_ID,
    workspaceId,
    repositoryId: null,
    name,
    trigger: 'manual',
    triggeredBy: null,
    input,
    at: new Date().toISOString(),
  },
});
const send = (jobId: string, command: JobCommand) =>
  handleCommand(app.runtime.store, jobStreamId(jobId), jobDecider, command, { commandId: `${jobId}:${command.type}` });

const deadLettersOf = async () =>
  (await app.request('GET', '/v1/operator/dead-letters?projection=jobs', { token: operator })).body.deadLetters as Array<
    Record<string, any>
  >;

beforeAll(async () => {
  app = await startTestApp({ config: { operatorUserIds: [OPERATOR] } });
  operator = await app.token({ userId: OPERATOR, org: 'ops-org', role: 'admin' });
  orgAdmin = await app.token({ userId: ORG_ADMIN, org: 'ops-org', role: 'admin' });
  expect((await app.request('POST', '/v1/orgs', { token: orgAdmin, body: { slug: 'ops-org', name: 'Ops' } })).status).toBe(201);
  const workspace = await app.request('POST', '/v1/orgs/ops-org/workspaces', { token: orgAdmin, body: { name: 'docs' } });
  expect(workspace.status).toBe(201);
  workspaceId = workspace.body.workspaceId;
  const key = await app.request('POST', '/v1/me/api-keys', { token: operator, body: { name: 'ops key' } });
  expect(key.status).toBe(201);
  operatorKey = key.body.key;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

const ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/v1/operator/projections'],
  ['POST', '/v1/operator/projections/jobs/rebuild'],
  ['GET', '/v1/operator/dead-letters'],
  ['POST', '/v1/operator/dead-letters/1/retry'],
  ['POST', '/v1/operator/dead-letters/1/skip'],
  ['GET', '/v1/operator/events'],
  ['GET', '/v1/operator/streams/job-x/events'],
  ['GET', '/v1/operator/ingestion'],
];

describe('who may use the operator routes', () => {
  it.each(ROUTES)(
    '%s %s: 401 without a token, 403 operator_required for an org admin and for the operator’s API key, nothing appended',
    async (method, path) => {
      await app.withoutAppending(
        async () => {
          expect((await app.request(method, path)).status).toBe(401);
          for (const token of [orgAdmin, operatorKey]) {
            const refused = await app.request(method, path, { token });
            expect({ status: refused.status, code: refused.body?.error?.code }).toEqual({ status: 403, code: 'operator_required' });
          }
        },
        { ignoreKeyUse: true },
      );
    },
  );

  it('refuses a non-operator before validating their input (no hint about the route’s rules)', async () => {
    const refused = await app.request('GET', '/v1/operator/events?limit=nope', { token: orgAdmin });
    expect(refused.status).toBe(403);
  });
});

describe('GET /v1/operator/projections', () => {
  it('lists every projection with its position, lag, rate, status and writer process', async () => {
    // The daemon's heartbeat names a projection once its runner holds the lock: wait on that row, not the api (its first look has no rate).
    await waitUntil(
      'the projector heartbeat naming every projection active',
      async () =>
        (
          await app.runtime.dataSource.query(
            `SELECT EXISTS (SELECT 1 FROM projector_processes WHERE ARRAY(SELECT name FROM projection_generations) <@ active) AS ok`,
          )
        )[0].ok,
      10_000,
      50,
    );
    const first = await app.request('GET', '/v1/operator/projections', { token: operator });
    expect(first.status).toBe(200);
    const names = first.body.projections.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['jobs', 'workspaces', 'organizations', 'ingestion_queue']));
    for (const projection of first.body.projections) {
      expect(projection).toEqual({
        name: expect.any(String),
        generation: 1,
        position: expect.any(String),
        eventsProcessed: expect.any(Number),
        lagEvents: expect.any(Number),
        lagSeconds: expect.any(Number),
        eventsPerSecond: null, // the first look: a rate needs two samples
        status: expect.stringMatching(/^(running|stalled)$/),
        activeProcess: expect.stringMatching(/\(pid \d+/),
        standbyProcesses: 0, // one projector daemon: nobody stands by
        processes: [
          { processId: expect.any(String), host: expect.any(String), pid: process.pid, role: 'active', lastSeenAt: expect.any(String) },
        ],
        deadLetters: expect.any(Number),
        updatedAt: expect.any(String),
        rebuild: null,
      });
    }
    // A later look (the console refreshes) has a rate; an observed condition, not a sleep.
    const second = await waitUntil(
      'a second sample of the projections',
      async () => {
        const { body } = await app.request('GET', '/v1/operator/projections', { token: operator });
        return body.projections.every((p: { eventsPerSecond: number | null }) => p.eventsPerSecond !== null) && body;
      },
      10_000,
      250,
    );
    for (const projection of second.projections) expect(projection.eventsPerSecond).toBeGreaterThanOrEqual(0);
  });
});

describe('dead letters', () => {
  let admin: pg.Client;
  let poisonPosition: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: app.database.url });
    await admin.connect();
    // The jobs projection's physical table refuses one name: its batch fails, and the runner dead-letters that event.
    await admin.query(`ALTER TABLE jobs_g1 ADD CONSTRAINT operator_e2e_refuses CHECK (name <> '${POISON_NAME}')`);
    await send('ok-1', queueJob('ok-1', 'fine job'));
    await send('poison-1', queueJob('poison-1', POISON_NAME));
    const second = await send('poison-2', queueJob('poison-2', POISON_NAME));
    poisonPosition = second.position!;
    await app.runtime.checkpoints.waitFor('jobs', poisonPosition, 30_000);
  }, 60_000);

  afterAll(async () => {
    await admin?.end();
  });

  it('lists them newest first with the failing event, its error and metadata, paged', async () => {
    const listed = await app.request('GET', '/v1/operator/dead-letters?projection=jobs&limit=1', { token: operator });
    expect(listed.status).toBe(200);
    expect(listed.body.deadLetters).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        projection: 'jobs',
        generation: 1,
        eventId: expect.any(String),
        eventType: 'JobQueued',
        streamId: 'job-poison-2',
        position: poisonPosition,
        error: expect.stringContaining('operator_e2e_refuses'),
        createdAt: expect.any(String),
        event: {
          data: expect.objectContaining({ jobId: 'poison-2', name: POISON_NAME }),
          metadata: expect.objectContaining({ commandId: 'poison-2:QueueJob' }),
        },
      },
    ]);
    expect(listed.body.next).toBe(listed.body.deadLetters[0].id);
    const older = await app.request('GET', `/v1/operator/dead-letters?projection=jobs&limit=1&before=${listed.body.next}`, {
      token: operator,
    });
    expect(older.body.deadLetters.map((d: { streamId: string }) => d.streamId)).toEqual(['job-poison-1']);
    expect(older.body.next).toBeNull();
    const status = await app.request('GET', '/v1/operator/projections', { token: operator });
    expect(status.body.projections.find((p: { name: string }) => p.name === 'jobs').deadLetters).toBe(2);
  });

  it.each([
    ['projection=nope', 'projection'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['before=abc', 'before'],
    ['unknown=1', 'unknown'],
  ])('answers 400 to ?%s, naming %s', async (query, field) => {
    const refused = await app.request('GET', `/v1/operator/dead-letters?${query}`, { token: operator });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.error)).toContain(field);
  });

  it('retries one: fails again (audited) while the fault lasts, applies once it is fixed, then refuses a second retry', async () => {
    const [letter] = (await deadLettersOf()).filter((d) => d.streamId === 'job-poison-1');
    const failed = await app.request('POST', `/v1/operator/dead-letters/${letter!.id}/retry`, { token: operator });
    expect(failed.status).toBe(200);
    expect(failed.body).toEqual({
      outcome: 'failed',
      error: expect.stringContaining('operator_e2e_refuses'),
      position: expect.any(String),
    });
    expect((await deadLettersOf()).map((d) => d.id)).toContain(letter!.id);

    await admin.query('ALTER TABLE jobs_g1 DROP CONSTRAINT operator_e2e_refuses');
    const applied = await app.request('POST', `/v1/operator/dead-letters/${letter!.id}/retry`, {
      token: operator,
      headers: { 'idempotency-key': 'retry-poison-1' },
    });
    expect(applied.body).toEqual({ outcome: 'applied', position: expect.any(String) });
    // The job now shows in the read model, as if the runner had applied it; the letter is gone.
    const [row] = await app.runtime.dataSource.query('SELECT name FROM jobs WHERE id = $1', ['poison-1']);
    expect(row).toEqual({ name: POISON_NAME });
    expect((await deadLettersOf()).map((d) => d.id)).not.toContain(letter!.id);

    // The same request again (same Idempotency-Key) is answered from the stream; a new one is refused.
    const repeated = await app.withoutAppending(() =>
      app.request('POST', `/v1/operator/dead-letters/${letter!.id}/retry`, {
        token: operator,
        headers: { 'idempotency-key': 'retry-poison-1' },
      }),
    );
    expect(repeated.body).toEqual(applied.body);
    const again = await app.withoutAppending(() =>
      app.request('POST', `/v1/operator/dead-letters/${letter!.id}/retry`, { token: operator }),
    );
    expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'conflict' });

    // Both attempts are in the audit stream, with who and what.
    const audit = await app.request('GET', `/v1/operator/streams/operator-dead-letter-${letter!.id}/events`, { token: operator });
    expect(
      audit.body.events.map((e: { type: string; data: { outcome: string; by: string } }) => [e.type, e.data.outcome, e.data.by]),
    ).toEqual([
      ['DeadLetterRetried', 'failed', OPERATOR],
      ['DeadLetterRetried', 'applied', OPERATOR],
    ]);
    expect(audit.body.events[1].data).toMatchObject({
      projection: 'jobs',
      generation: 1,
      eventId: letter!.eventId,
      eventPosition: letter!.position,
    });
  });

  it('skips one: the event stays unapplied, the skip is audited, and a second skip or retry is refused', async () => {
    const [letter] = (await deadLettersOf()).filter((d) => d.streamId === 'job-poison-2');
    const skipped = await app.request('POST', `/v1/operator/dead-letters/${letter!.id}/skip`, { token: operator });
    expect(skipped.status).toBe(200);
    expect(skipped.body).toEqual({ position: expect.any(String) });
    expect(await deadLettersOf()).toEqual([]);
    expect(await app.runtime.dataSource.query('SELECT name FROM jobs WHERE id = $1', ['poison-2'])).toEqual([]);
    for (const action of ['skip', 'retry']) {
      const refused = await app.withoutAppending(() =>
        app.request('POST', `/v1/operator/dead-letters/${letter!.id}/${action}`, { token: operator }),
      );
      expect(refused.status).toBe(409);
    }
    const audit = await app.request('GET', `/v1/operator/events?type=DeadLetterSkipped`, { token: operator });
    expect(audit.body.events).toEqual([
      expect.objectContaining({
        streamId: `operator-dead-letter-${letter!.id}`,
        type: 'DeadLetterSkipped',
        position: skipped.body.position,
        data: expect.objectContaining({ deadLetterId: letter!.id, by: OPERATOR, eventId: letter!.eventId }),
        metadata: expect.objectContaining({ userId: OPERATOR }),
      }),
    ]);
  });

  it.each(['999999', 'abc', '0'])('answers 404 for dead letter %s, appending nothing', async (id) => {
    for (const action of ['retry', 'skip']) {
      const missing = await app.withoutAppending(() =>
        app.request('POST', `/v1/operator/dead-letters/${id}/${action}`, { token: operator }),
      );
      expect({ status: missing.status, code: missing.body.error.code }).toEqual({ status: 404, code: 'not_found' });
    }
  });
});

describe('dead letters from the command line (dist/, as operators run it)', () => {
  const cli = async (...args: string[]) => {
    const run = startConsoleProcess(`cli-${args.join('-')}`, 'cli', { DATABASE_URL: app.database.url, LOG_LEVEL: 'error' }, args);
    const { code } = await run.exited;
    return { code, output: run.output() };
  };

  it('lists one with its id, fails to retry it while the fault lasts, then skips it; both audited as the CLI user', async () => {
    const admin = new pg.Client({ connectionString: app.database.url });
    await admin.connect();
    try {
      await admin.query(`ALTER TABLE jobs_g1 ADD CONSTRAINT operator_e2e_cli CHECK (name <> '${POISON_NAME}') NOT VALID`);
      const queued = await send('poison-3', queueJob('poison-3', POISON_NAME));
      await app.runtime.checkpoints.waitFor('jobs', queued.position!, 30_000);
      const [letter] = await deadLettersOf();
      expect(letter).toMatchObject({ streamId: 'job-poison-3' });

      const listed = await cli('dead-letters', '--projection', 'jobs');
      expect(listed.code).toBe(0);
      expect(listed.output).toContain('job-poison-3');
      const retried = await cli('dead-letters', 'retry', letter!.id);
      expect({ code: retried.code, output: retried.output }).toEqual({ code: 1, output: expect.stringContaining('failed again') });
      const skipped = await cli('dead-letters', 'skip', letter!.id);
      expect({ code: skipped.code, output: skipped.output }).toEqual({
        code: 0,
        output: expect.stringContaining(`dead letter ${letter!.id} skipped`),
      });
      expect(await deadLettersOf()).toEqual([]);
      const again = await cli('dead-letters', 'skip', letter!.id);
      expect({ code: again.code, output: again.output }).toEqual({ code: 1, output: expect.stringContaining('already resolved') });
      const audit = await app.request('GET', `/v1/operator/streams/operator-dead-letter-${letter!.id}/events`, { token: operator });
      expect(audit.body.events.map((e: { type: string; data: { by: string } }) => [e.type, e.data.by])).toEqual([
        ['DeadLetterRetried', `cli:${userInfo().username}`],
        ['DeadLetterSkipped', `cli:${userInfo().username}`],
      ]);
    } finally {
      await admin.query('ALTER TABLE jobs_g1 DROP CONSTRAINT IF EXISTS operator_e2e_cli');
      await admin.end();
    }
  }, 60_000);
});

describe('the event browser', () => {
  it('pages the log’s tail newest first by position, every organization’s events included', async () => {
    const first = await app.request('GET', '/v1/operator/events?limit=3', { token: operator });
    expect(first.status).toBe(200);
    expect(first.body.events).toHaveLength(3);
    expect(first.body.events[0]).toEqual({
      id: expect.any(String),
      position: expect.stringMatching(/^\d+\/\d+$/),
      streamId: expect.any(String),
      revision: expect.stringMatching(/^\d+$/),
      type: expect.any(String),
      recordedAt: expect.any(String),
      data: expect.any(Object),
      metadata: expect.any(Object),
    });
    expect(first.body.next).toBe(first.body.events[2].position);
    const second = await app.request('GET', `/v1/operator/events?limit=3&before=${encodeURIComponent(first.body.next)}`, {
      token: operator,
    });
    const positions = [...first.body.events, ...second.body.events].map((e: { position: string }) => e.position);
    const sorted = [...positions].sort((a, b) => -app.runtime.store.comparePositions(a, b));
    expect(positions).toEqual(sorted);
    expect(new Set(positions).size).toBe(6);
    // Filtered by type (several, comma-separated).
    const jobs = await app.request('GET', '/v1/operator/events?type=JobQueued,OrganizationCreated&limit=50', { token: operator });
    expect(new Set(jobs.body.events.map((e: { type: string }) => e.type))).toEqual(new Set(['JobQueued', 'OrganizationCreated']));
    expect(jobs.body.next).toBeNull();
  });

  it('pages one stream in revision order', async () => {
    await send('ok-1', { type: 'StartJob', data: { at: new Date().toISOString() } });
    await send('ok-1', {
      type: 'FailJob',
      data: { at: new Date().toISOString(), error: { message: 'GitHub said no', code: 'github_forbidden' } },
    });
    const first = await app.request('GET', '/v1/operator/streams/job-ok-1/events?limit=2', { token: operator });
    expect(first.body.events.map((e: { type: string; revision: string }) => [e.revision, e.type])).toEqual([
      ['0', 'JobQueued'],
      ['1', 'JobStarted'],
    ]);
    expect(first.body.next).toBe('1');
    const rest = await app.request('GET', `/v1/operator/streams/job-ok-1/events?limit=2&after=${first.body.next}`, { token: operator });
    expect(rest.body).toEqual({ events: [expect.objectContaining({ revision: '2', type: 'JobFailed' })], next: null });
    expect((await app.request('GET', '/v1/operator/streams/no-such-stream/events', { token: operator })).body).toEqual({
      events: [],
      next: null,
    });
  });

  it.each([
    ['/v1/operator/events?before=start', 'before'],
    ['/v1/operator/events?before=1%2F2%2F3', 'before'],
    ['/v1/operator/events?type=%27%3B--', 'type'],
    ['/v1/operator/events?limit=-1', 'limit'],
    ['/v1/operator/streams/job-ok-1/events?after=-1', 'after'],
    ['/v1/operator/streams/job-ok-1/events?after=x', 'after'],
    [`/v1/operator/streams/${'s'.repeat(301)}/events`, 'streamId'],
  ])('answers 400 to %s, naming %s', async (path, field) => {
    const refused = await app.request('GET', path, { token: operator });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.error)).toContain(field);
  });
});

describe('GET /v1/operator/ingestion', () => {
  it('shows the queue, running jobs with progress, and recent failures with their codes', async () => {
    const input = {
      kind: 'docs-ingestion',
      source: 'manual',
      repositoryId: null,
      githubRepoId: '42',
      githubInstallationId: '7',
      repoFullName: 'acme/docs',
      ref: null,
      afterSha: null,
      deliveryId: null,
      changedFileCount: null,
      fallbackStore: null,
    };
    await send('ingest-queued', queueJob('ingest-queued', 'Docs Ingestion: acme/docs', input));
    await send('ingest-running', queueJob('ingest-running', 'Docs Ingestion: acme/docs', { ...input, githubRepoId: '43' }));
    await send('ingest-running', { type: 'StartJob', data: { at: new Date().toISOString() } });
    const progressed = await send('ingest-running', {
      type: 'ReportJobProgress',
      data: { at: new Date().toISOString(), processed: 3, total: 10, message: 'reading files' },
    });
    await app.runtime.checkpoints.waitFor('jobs', progressed.position!, 30_000);
    await app.runtime.checkpoints.waitFor('ingestion_queue', progressed.position!, 30_000);
    const { status, body } = await app.request('GET', '/v1/operator/ingestion', { token: operator });
    expect(status).toBe(200);
    expect(body.queued).toEqual([
      expect.objectContaining({ jobId: 'ingest-queued', organizationId: ORG_ID, workspaceId, githubRepoId: '42' }),
    ]);
    expect(body.running).toEqual([
      expect.objectContaining({
        jobId: 'ingest-running',
        workspaceId,
        startedAt: expect.any(String),
        progress: expect.objectContaining({ processed: 3, total: 10 }),
      }),
    ]);
    expect(body.recentFailures).toContainEqual(
      expect.objectContaining({ jobId: 'ok-1', code: 'github_forbidden', message: 'GitHub said no', failedAt: expect.any(String) }),
    );
    expect(body.totals).toEqual({ queuedJobs: 1, initialSyncsWaiting: 0, oldestQueuedAt: expect.any(String) });
  });
});

describe('POST /v1/operator/projections/:name/rebuild', () => {
  it('404s an unknown projection, naming it, appending nothing', async () => {
    const missing = await app.withoutAppending(() => app.request('POST', '/v1/operator/projections/nope/rebuild', { token: operator }));
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual(
      expect.objectContaining({ code: 'projection_not_found', message: expect.stringContaining('"nope"') }),
    );
  });

  it('has the daemon replay blue/green, reports its progress, refuses a second request meanwhile, then completes', async () => {
    const projection = async () =>
      (await app.request('GET', '/v1/operator/projections', { token: operator })).body.projections.find(
        (p: { name: string }) => p.name === 'workspaces',
      );
    const before = await projection();
    // Hold the switch: the replay builds generation 2 and catches up, then waits on this row lock to switch.
    const holder = new pg.Client({ connectionString: app.database.url });
    let applied = 0;
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM projection_generations WHERE name = 'workspaces' FOR UPDATE`);
      const requested = await app.request('POST', '/v1/operator/projections/workspaces/rebuild', { token: operator });
      expect(requested.status).toBe(202);
      expect(requested.body).toEqual({ position: expect.any(String), requestId: expect.any(String) });

      const building = await waitUntil(
        'the rebuild of workspaces caught up and waiting to switch',
        async () => {
          const p = await projection();
          return p.rebuild?.generation === 2 && p.rebuild.eventsApplied > 0 && p.rebuild.eventsTotal === p.rebuild.eventsApplied && p;
        },
        30_000,
      );
      expect(building).toMatchObject({
        status: 'rebuilding',
        generation: before.generation,
        rebuild: { generation: 2, startedAt: expect.any(String), requestId: requested.body.requestId, requestedBy: OPERATOR },
      });
      applied = building.rebuild.eventsApplied;
      const again = await app.withoutAppending(() =>
        app.request('POST', '/v1/operator/projections/workspaces/rebuild', { token: operator }),
      );
      expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'rebuild_in_progress' });
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    const done = await waitUntil(
      'the rebuild of workspaces completed',
      async () => {
        const p = await projection();
        return p.generation === 2 && p.rebuild === null && p.status !== 'rebuilding' && p;
      },
      30_000,
    );
    expect(done.status).toMatch(/^(running|stopped)$/);
    const audit = await app.request('GET', '/v1/operator/streams/operator-projection-workspaces/events', { token: operator });
    expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual(['ProjectionRebuildRequested', 'ProjectionRebuildCompleted']);
    expect(audit.body.events[1].data).toMatchObject({ fromGeneration: 1, toGeneration: 2, events: applied });
    // The rebuilt read model serves: the workspace is there.
    await waitForReadModel(
      app,
      'workspaces',
      async () => (await app.runtime.dataSource.query('SELECT id FROM workspaces WHERE id = $1', [workspaceId])).length === 1 || undefined,
      'the workspace in the rebuilt workspaces read model',
    );
  });
});

describe('the console’s one-time sign-in', () => {
  it('exchanges a code once for a session token that works on the operator routes', async () => {
    const code = app.nest.get(ConsoleSignIn).issue({ userId: OPERATOR, organizationSlug: 'ops-org', role: 'admin' });
    const session = await app.request('POST', '/v1/console/sessions', { body: { code } });
    expect(session.status).toBe(201);
    expect(session.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String) });
    expect(Date.parse(session.body.expiresAt)).toBeGreaterThan(Date.now());
    expect((await app.request('GET', '/v1/operator/projections', { token: session.body.token })).status).toBe(200);
    const reused = await app.request('POST', '/v1/console/sessions', { body: { code } });
    expect({ status: reused.status, code: reused.body.error.code }).toEqual({ status: 401, code: 'invalid_sign_in_code' });
  });

  it('refuses an unknown code (401) and a malformed body (400)', async () => {
    expect((await app.request('POST', '/v1/console/sessions', { body: { code: 'x'.repeat(32) } })).status).toBe(401);
    for (const body of [{}, { code: 5 }, { code: 'short' }, { code: 'x'.repeat(32), extra: 1 }]) {
      expect((await app.request('POST', '/v1/console/sessions', { body })).status).toBe(400);
    }
  });
});
