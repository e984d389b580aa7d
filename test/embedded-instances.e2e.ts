import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm start` as a user runs it (the built all-in-one, no DATABASE_URL, so on its embedded
 * PostgreSQL): two instances with their own DATA_DIR on the same configured PostgreSQL port, the
 * CLI next to each, a third one whose api port is taken, and Ctrl-C sent to a process group as a
 * terminal sends it.
 */
describe('embedded instances', () => {
  const root = mkdtempSync(join(tmpdir(), 'embedded-instances-'));
  // Within the postgres user's reach (the machine runs as root), so the clusters stay under root and go with it.
  chmodSync(root, 0o755);
  const started: Instance[] = [];
  let postgresPort: number;
  let a: Instance;
  let b: Instance;

  /** The environment of a user's shell: no DATABASE_URL, so the embedded PostgreSQL is used. */
  const userEnv = (dataDir: string, extra: Record<string, string> = {}) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(postgresPort),
      LOG_LEVEL: 'info',
      NODE_OPTIONS: '',
    };
    for (const name of ['DATABASE_URL', 'EVENT_STORE_URL', 'REDIS_URL']) delete env[name];
    return { ...env, ...extra };
  };

  interface Instance {
    readonly dataDir: string;
    readonly apiPort: number;
    readonly child: ChildProcess;
    stdout: string;
    stderr: string;
    readonly exited: Promise<number | null>;
  }

  function startConsole(name: string, apiPort: number): Instance {
    const dataDir = join(root, name);
    // detached: its own process group, like a program started in a terminal (Ctrl-C signals the group).
    const child = spawn(process.execPath, ['dist/apps/standalone/src/main.js'], {
      env: userEnv(dataDir, { PORT: String(apiPort) }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const instance: Instance = {
      dataDir,
      apiPort,
      child,
      stdout: '',
      stderr: '',
      exited: once(child, 'exit').then(([code]) => code as number | null),
    };
    child.stdout!.on('data', (chunk) => (instance.stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (instance.stderr += String(chunk)));
    started.push(instance);
    return instance;
  }

  /** Resolves with the banner line once it is printed; rejects if the process exits first. */
  async function banner(instance: Instance): Promise<string> {
    for (;;) {
      const line = instance.stdout.split('\n').find((l) => l.startsWith('Console is running'));
      if (line) return line;
      if (instance.child.exitCode !== null)
        throw new Error(`exited with ${instance.child.exitCode} before its banner:\n${instance.stdout}\n${instance.stderr}`);
      await Promise.race([once(instance.child.stdout!, 'data'), instance.exited]);
    }
  }

  async function cli(dataDir: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['dist/apps/projector/src/cli/main.js', ...args], {
      env: userEnv(dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = await once(child, 'close');
    return { code: code as number | null, stdout, stderr };
  }

  /** PostgreSQL servers running on the cluster of `dataDir`, from the process table. */
  function postgresOf(dataDir: string): number[] {
    const link = join(dataDir, 'postgres');
    if (!existsSync(link)) return [];
    const cluster = realpathSync(link);
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`\0-D\0${cluster}\0`);
        } catch {
          return false; // exited while we looked
        }
      })
      .map(Number);
  }

  const freePort = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  };

  beforeAll(async () => {
    postgresPort = await freePort();
    a = startConsole('a', await freePort());
    await banner(a);
    b = startConsole('b', await freePort());
    await banner(b);
  }, 120_000);

  afterAll(async () => {
    for (const instance of started) {
      if (instance.child.exitCode === null && instance.child.signalCode === null) process.kill(-instance.child.pid!, 'SIGINT');
      await instance.exited;
      const link = join(instance.dataDir, 'postgres');
      if (existsSync(link)) rmSync(realpathSync(link), { recursive: true, force: true }); // placed elsewhere if root was out of reach
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('gives a second instance with another DATA_DIR its own PostgreSQL port, and the CLI reaches each one with its DATA_DIR', async () => {
    expect(await banner(a)).toContain(`embedded PostgreSQL on port ${postgresPort}, data in ${a.dataDir}`);
    const bPort = Number(readFileSync(join(b.dataDir, 'postgres-port'), 'utf8'));
    expect(bPort).not.toBe(postgresPort);
    expect(await banner(b)).toContain(`embedded PostgreSQL on port ${bPort}, data in ${b.dataDir}`);

    const created = await cli(a.dataDir, 'token', '--user', 'u1', '--org', 'only-in-a', '--role', 'admin', '--create');
    expect(created).toMatchObject({ code: 0, stderr: expect.stringContaining('created organization "only-in-a"') });
    expect((await cli(a.dataDir, 'token', '--user', 'u1', '--org', 'only-in-a', '--role', 'admin')).code).toBe(0);
    const elsewhere = await cli(b.dataDir, 'token', '--user', 'u1', '--org', 'only-in-a', '--role', 'admin');
    expect(elsewhere).toMatchObject({ code: 1, stderr: expect.stringContaining('organization "only-in-a" does not exist') });
    expect((await cli(b.dataDir, 'status', '--json')).code).toBe(0);
  }, 60_000);

  it('tells the CLI with a DATA_DIR where no Console runs how to fix it, and creates no database there', async () => {
    const nowhere = join(root, 'mistyped');
    const result = await cli(nowhere, 'status');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: no Console is running with DATA_DIR=${nowhere}, and it holds no database: start Console with \`npm start\`, or set DATA_DIR to the directory its banner prints (or DATABASE_URL to a server)\n`,
    );
    expect(existsSync(join(nowhere, 'postgres'))).toBe(false);
  }, 60_000);

  it('stops with one line and exit code 1 when its api port is taken, leaving no PostgreSQL running', async () => {
    const c = startConsole('c', a.apiPort);
    expect(await c.exited).toBe(1);
    expect(c.stderr).toBe(
      `Console cannot start: port ${a.apiPort} is in use (another Console?): set PORT to a free port, or stop the other process\n`,
    );
    expect(existsSync(join(c.dataDir, 'postgres', 'PG_VERSION'))).toBe(true); // its PostgreSQL did start before the api failed
    expect(postgresOf(c.dataDir)).toEqual([]);
    expect(['console.pid', 'postgres-port', 'postgres/postmaster.pid'].filter((file) => existsSync(join(c.dataDir, file)))).toEqual([]);
  }, 60_000);

  it('shuts down on Ctrl-C with a short, clean output and exit code 0, its PostgreSQL stopped', async () => {
    for (const instance of [a, b]) {
      expect(postgresOf(instance.dataDir)).toHaveLength(1);
      const before = instance.stdout.length;
      process.kill(-instance.child.pid!, 'SIGINT'); // the whole process group, as a terminal's Ctrl-C
      expect(await instance.exited).toBe(0);
      const lines = instance.stdout.slice(before).trim().split('\n');
      expect(lines.map((line) => JSON.parse(line) as { level: number; msg: string })).toEqual([
        expect.objectContaining({ level: 30, msg: 'shutting down' }),
        expect.objectContaining({ level: 30, msg: 'stopped' }),
      ]);
      expect(instance.stderr).toBe('');
      expect(postgresOf(instance.dataDir)).toEqual([]);
    }
  }, 60_000);

  it('works on a stopped instance by starting its cluster for the command alone, and stops it again', async () => {
    expect(postgresOf(a.dataDir)).toEqual([]);
    const offline = await cli(a.dataDir, 'token', '--user', 'u1', '--org', 'only-in-a', '--role', 'admin');
    expect(offline).toMatchObject({
      code: 0,
      stderr: `no Console is running with DATA_DIR=${a.dataDir}: its embedded PostgreSQL is started for this command\n`,
    });
    expect(postgresOf(a.dataDir)).toEqual([]);
  }, 60_000);
});
