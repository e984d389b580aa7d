import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * Console's built processes (`dist/`, built once by the e2e global setup) as children of a test:
 * the api, the projector daemon and the CLI, each with its output kept for assertions. Every pg
 * connection of a child carries its name as `application_name` (PGAPPNAME), so a test can find
 * its backends in pg_stat_activity and pg_locks, and terminate them.
 */
export interface ConsoleProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves when the process has exited, with its code (null after a signal) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const ENTRY_POINTS = {
  api: 'dist/apps/api/src/main.js',
  projector: 'dist/apps/projector/src/main.js',
  cli: 'dist/apps/projector/src/cli/main.js',
} as const;

export function startConsoleProcess(
  name: string,
  entry: keyof typeof ENTRY_POINTS,
  env: Record<string, string>,
  args: readonly string[] = [],
): ConsoleProcess {
  const child = spawn(process.execPath, [ENTRY_POINTS[entry], ...args], {
    env: { ...process.env, NODE_OPTIONS: '', PGAPPNAME: name, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    name,
    child,
    output: () => output,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Polls `probe` until it returns something other than undefined or false, and returns that; throws
 * naming `what` after `timeoutMs`. A deadline on an observable condition, not a sleep.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error; // the database or a process may be coming back: the deadline decides
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not true within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A port nobody listens on right now (the api is then started on it, and restarted on the same one). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once `GET /health/live` answers 200 (the api has opened its runtime and listens). */
export async function waitForApi(baseUrl: string, process: ConsoleProcess, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    `${process.name} listening at ${baseUrl}`,
    async () => {
      if (process.child.exitCode !== null) throw new Error(`${process.name} exited: ${process.output()}`);
      return (await fetch(`${baseUrl}/health/live`)).status === 200;
    },
    timeoutMs,
  );
}
