import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedDatabaseUrl, startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';
import { runningEmbeddedDatabase } from './embedded-attach.js';

const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
};
const refusal = (url: string) =>
  query(url, 'SELECT 1').then(
    () => null,
    (error: { code?: string }) => error.code,
  );
const randomPort = () => 20000 + Math.floor(Math.random() * 20000);
const dirs: string[] = [];
const freshDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
/** The row a cluster keeps about the data dir it belongs to. */
const instanceRow = async (database: EmbeddedDatabase) =>
  (await query(database.url.replace(/\/console$/, '/postgres'), 'SELECT id, data_dir FROM console_instance')).rows;
const instanceFile = (dataDir: string) => readFileSync(join(dataDir, 'instance-id'), 'utf8').trim();
const processGroup = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2];
const postmasterPid = (dataDir: string) => readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]!;

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  it('runs with a random password kept 0600 in the data dir, refuses postgres/postgres, and adopts an older cluster on its next start', async () => {
    const dataDir = freshDir('embedded-pw-');
    const port = randomPort();
    const passwordFile = join(dataDir, 'postgres-password');
    const first = await startEmbeddedDatabase({ dataDir, port, persistent: true });
    let id: string;
    let password: string;
    try {
      password = readFileSync(passwordFile, 'utf8').trim();
      expect([password.length, statSync(passwordFile).mode & 0o777]).toEqual([32, 0o600]);
      expect(first.url).toBe(`postgres://postgres:${password}@127.0.0.1:${first.port}/console`);
      expect(embeddedDatabaseUrl(dataDir, first.port)).toBe(first.url); // what the CLI uses next to a running npm start
      expect(await refusal(first.url)).toBeNull();
      expect(await refusal(`postgres://postgres:postgres@127.0.0.1:${first.port}/console`)).toBe('28P01');
      id = instanceFile(dataDir);
      expect(await instanceRow(first)).toEqual([{ id, data_dir: realpathSync(dataDir) }]);

      // A cluster as an older version left it: password `postgres`, no password file, no instance id.
      await query(first.url.replace(/\/console$/, '/postgres'), 'DROP TABLE console_instance');
      await query(first.url, "ALTER ROLE postgres PASSWORD 'postgres'");
    } finally {
      await first.stop();
    }
    rmSync(passwordFile);
    rmSync(join(dataDir, 'instance-id'));

    const second = await startEmbeddedDatabase({ dataDir, port: first.port, persistent: true });
    try {
      const adopted = readFileSync(passwordFile, 'utf8').trim();
      expect(adopted).not.toBe(password);
      expect(await refusal(second.url)).toBeNull();
      expect(await refusal(`postgres://postgres:postgres@127.0.0.1:${second.port}/console`)).toBe('28P01');
      expect(instanceFile(dataDir)).not.toBe(id);
      expect(await instanceRow(second)).toEqual([{ id: instanceFile(dataDir), data_dir: realpathSync(dataDir) }]);
    } finally {
      await second.stop();
    }
  });

  it('takes a free port when the one asked for is taken, records it in the data dir, and runs in its own process group', async () => {
    const dataDir = freshDir('embedded-port-');
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    try {
      const database = await startEmbeddedDatabase({ dataDir, port: taken, persistent: true });
      try {
        expect(database.port).not.toBe(taken);
        expect(readFileSync(join(dataDir, 'postgres-port'), 'utf8')).toBe(`${database.port}\n`);
        expect(await refusal(database.url)).toBeNull();
        expect(await runningEmbeddedDatabase(dataDir)).toEqual({ url: database.url, port: database.port });
        // A terminal's Ctrl-C goes to the foreground process group: Node's, not the server's.
        expect(processGroup(postmasterPid(dataDir))).not.toBe(processGroup('self'));
      } finally {
        await database.stop();
      }
      expect(existsSync(join(dataDir, 'postgres-port'))).toBe(false);
      expect(await runningEmbeddedDatabase(dataDir)).toBeNull();
    } finally {
      squatter.close();
    }
  });

  it("gives two data dirs on one port their own servers, and never attaches one data dir to the other's server", async () => {
    const [dirA, dirB] = [freshDir('embedded-a-'), freshDir('embedded-b-')];
    const port = randomPort();
    const a = await startEmbeddedDatabase({ dataDir: dirA, port, persistent: true });
    const b = await startEmbeddedDatabase({ dataDir: dirB, port, persistent: true });
    try {
      expect(a.port).toBe(port);
      expect(b.port).not.toBe(port);
      expect(await instanceRow(b)).toEqual([{ id: instanceFile(dirB), data_dir: realpathSync(dirB) }]);
      expect(instanceFile(dirA)).not.toBe(instanceFile(dirB));
      expect((await runningEmbeddedDatabase(dirA))?.url).toBe(a.url);
      expect((await runningEmbeddedDatabase(dirB))?.url).toBe(b.url);

      // A port file that names the other instance's server (it outlived its own, say): refused.
      copyFileSync(join(dirA, 'postgres-port'), join(dirB, 'postgres-port'));
      await expect(runningEmbeddedDatabase(dirB)).rejects.toThrow(
        `The PostgreSQL on 127.0.0.1:${a.port} is not the one of DATA_DIR=${dirB}`,
      );

      // A copy of A's files (same password, same instance id) under another path: refused, naming both dirs.
      const dirC = freshDir('embedded-c-');
      mkdirSync(join(dirC, 'postgres'));
      for (const file of ['postgres-password', 'instance-id', 'postgres-port', 'console.pid', 'postgres/postmaster.pid'])
        copyFileSync(join(dirA, file), join(dirC, file));
      await expect(runningEmbeddedDatabase(dirC)).rejects.toThrow(
        `belongs to the Console with DATA_DIR=${realpathSync(dirA)}, not to DATA_DIR=${dirC}`,
      );
    } finally {
      await b.stop();
      await a.stop();
    }
  });

  it('gives a copied data dir its own instance id when it starts, and leaves the original its own', async () => {
    const original = freshDir('embedded-orig-');
    const port = randomPort();
    const first = await startEmbeddedDatabase({ dataDir: original, port, persistent: true });
    const id = instanceFile(original);
    await first.stop();
    const parent = freshDir('embedded-copy-');
    chmodSync(parent, 0o755); // as the original's: within the postgres user's reach, so the copied cluster is used in place
    const copy = join(parent, 'data');
    expect(spawnSync('cp', ['-a', original, copy]).status).toBe(0); // -a: the cluster stays the postgres user's

    const copied = await startEmbeddedDatabase({ dataDir: copy, port, persistent: true });
    try {
      expect(instanceFile(copy)).not.toBe(id);
      expect(await instanceRow(copied)).toEqual([{ id: instanceFile(copy), data_dir: realpathSync(copy) }]);
    } finally {
      await copied.stop();
    }
    const again = await startEmbeddedDatabase({ dataDir: original, port, persistent: true });
    try {
      expect(await instanceRow(again)).toEqual([{ id, data_dir: realpathSync(original) }]);
    } finally {
      await again.stop();
    }
  });
});
