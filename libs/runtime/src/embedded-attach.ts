import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import {
  EmbeddedDatabaseError,
  INSTANCE_FILE,
  INSTANCE_TABLE,
  PORT_FILE,
  embeddedDatabaseInUse,
  embeddedDatabaseUrl,
} from './embedded-database.js';

/** True when `dataDir` holds an embedded cluster (running or not). */
export const embeddedClusterExists = (dataDir: string): boolean => existsSync(join(resolve(dataDir), 'postgres', 'PG_VERSION'));

/**
 * The embedded server of the Console running with `dataDir` (`npm start`, or a CLI command that
 * started it), at the port it recorded there; null when none runs. The server found there must say
 * it is this data dir's (same instance id, same real path): a port file that outlived its server,
 * or a copied data dir, must never lead to another instance's database.
 */
export async function runningEmbeddedDatabase(dataDir: string): Promise<{ url: string; port: number } | null> {
  dataDir = resolve(dataDir);
  if (!embeddedDatabaseInUse(dataDir)) return null;
  const recorded = read(join(dataDir, PORT_FILE));
  if (recorded === undefined) {
    throw new EmbeddedDatabaseError(
      `The Console running with DATA_DIR=${dataDir} has not recorded its PostgreSQL port yet (still starting, or an older version): wait for its banner, or restart it`,
    );
  }
  const port = Number(recorded);
  const here = realpathSync(dataDir);
  const expected = read(join(dataDir, INSTANCE_FILE));
  const client = new pg.Client({ connectionString: embeddedDatabaseUrl(dataDir, port, 'postgres') });
  let found: { id: string; data_dir: string } | undefined;
  try {
    await client.connect();
    found = (await client.query<{ id: string; data_dir: string }>(`SELECT id, data_dir FROM ${INSTANCE_TABLE}`)).rows[0];
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 28P01: another cluster's password; 42P01: a server without our row; both are not this data dir's.
    if (code !== '28P01' && code !== '42P01') {
      throw new EmbeddedDatabaseError(
        `The Console running with DATA_DIR=${dataDir} recorded PostgreSQL port ${port}, which does not answer (${(error as Error).message}): restart it`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  if (!found) {
    throw new EmbeddedDatabaseError(
      `The PostgreSQL on 127.0.0.1:${port} is not the one of DATA_DIR=${dataDir} (it does not know this data dir): refusing to use another instance's database; restart the Console of ${dataDir}`,
    );
  }
  if (found.data_dir !== here || found.id !== expected) {
    throw new EmbeddedDatabaseError(
      `The PostgreSQL on 127.0.0.1:${port} belongs to the Console with DATA_DIR=${found.data_dir}, not to DATA_DIR=${dataDir}: refusing to use another instance's database; restart the Console of ${dataDir}, or set DATA_DIR=${found.data_dir}`,
    );
  }
  return { url: embeddedDatabaseUrl(dataDir, port), port };
}

function read(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
