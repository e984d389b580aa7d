import 'reflect-metadata';
import { expect } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { LocalIdentityProvider, TokenCipher, createLogger, type Logger, type OrgRole } from '#adapters';
import { createApiApp } from '../../apps/api/src/create-api-app.js';
import { ProjectorDaemon } from '../../apps/projector/src/projector.daemon.js';
import { startReactors, type ReactorOverrides, type Reactors } from '../../apps/projector/src/reactors/reactors.js';
import { loadConfig, type ConsoleConfig } from '#runtime';
import { openRuntime, type Runtime } from '#runtime';
import { createTestDatabase, type TestDatabase } from '#testing';

export interface TestApp {
  readonly baseUrl: string;
  readonly runtime: Runtime;
  readonly database: TestDatabase;
  /** The Nest application, for a provider a test drives directly (`nest.get(ConsoleSignIn)`). */
  readonly nest: INestApplication;
  token(input: { userId?: string; org?: string; role?: OrgRole }): Promise<string>;
  /** fetch against the app, JSON in and out. */
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /**
   * Events in the log: in streams whose id is LIKE `streams` (all by default), leaving out `ApiKeyUsed`
   * when `ignoreKeyUse` (a key's use is recorded off the request path, at most once a minute, whatever
   * the route answered).
   */
  eventCount(options?: EventCountOptions): Promise<number>;
  /** Runs `send` (a request that must change nothing) and asserts the event log did not grow. */
  withoutAppending<T>(send: () => Promise<T>, options?: EventCountOptions): Promise<T>;
  close(): Promise<void>;
}

export interface EventCountOptions {
  readonly streams?: string;
  readonly ignoreKeyUse?: boolean;
}

/** The real app on a fresh database: api on an ephemeral port plus the projector daemon, as in `npm start`. */
/**
 * `reactors`: off unless asked for, so tests that look at queued jobs see them stay queued; pass
 * `true` or overrides (batch size, poll interval) to run ingestion as `npm start` does.
 */
export async function startTestApp(
  options: { projector?: boolean; reactors?: boolean | ReactorOverrides; config?: Partial<ConsoleConfig>; logger?: Logger } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = { ...loadConfig({}), consistencyTimeoutMs: 10_000, ...options.config };
  const runtime = await openRuntime(config, {
    databaseUrl: database.url,
    identity: await LocalIdentityProvider.ephemeral(),
    logger: options.logger ?? createLogger('test', 'silent'),
    // A key of the test's own: nothing is written under DATA_DIR.
    cipher: new TokenCipher(randomBytes(32)),
  });
  const daemon =
    options.projector === false
      ? null
      : new ProjectorDaemon({ store: runtime.store, pool: runtime.projectorPool, connectionString: database.url, logger: runtime.logger });
  await daemon?.start();
  const reactors: Reactors | null = options.reactors
    ? await startReactors(runtime, options.reactors === true ? {} : options.reactors)
    : null;
  const app: INestApplication = await createApiApp(runtime);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const eventCount = async ({ streams = '%', ignoreKeyUse = false }: EventCountOptions = {}) => {
    const rows: Array<{ n: number }> = await runtime.dataSource.query(
      `SELECT count(*)::int AS n FROM es_events WHERE stream_id LIKE $1 AND (NOT $2 OR type <> 'ApiKeyUsed')`,
      [streams, ignoreKeyUse],
    );
    return rows[0]!.n;
  };
  return {
    baseUrl,
    runtime,
    database,
    nest: app,
    token: ({ userId = 'user_1', org = 'acme', role = 'admin' }) => runtime.identity.mint({ userId, organizationSlug: org, role }),
    async request(method, path, { token, body, headers = {} } = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (e.g. /metrics)
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    eventCount,
    async withoutAppending(send, options) {
      const before = await eventCount(options);
      const result = await send();
      expect(await eventCount(options)).toBe(before);
      return result;
    },
    async close() {
      await app.close();
      await reactors?.stop();
      await daemon?.stop();
      await runtime.close();
      await database.drop();
    },
  };
}
