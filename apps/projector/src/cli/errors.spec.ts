import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import pg from 'pg';
import { describeDatabaseUrl, explainCliError } from './errors.js';

/** What pg throws for a server nobody runs: a port just freed. */
async function refusedConnection(): Promise<{ url: string; error: unknown }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  const url = `postgres://console:secret@127.0.0.1:${port}/console`;
  const client = new pg.Client({ connectionString: url });
  const error = await client.connect().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  return { url, error };
}

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('explainCliError', () => {
  it('names the unreachable server of DATABASE_URL, without its password, and the two ways out', async () => {
    const { url, error } = await refusedConnection();
    const message = explainCliError(error, { databaseUrl: url, dataDir: '/srv/console' });
    expect(message).toMatch(
      /^cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/console \(DATABASE_URL\): connect ECONNREFUSED 127\.0\.0\.1:\d+\. Start that server, or unset DATABASE_URL to use the embedded database of a Console started with `npm start`$/,
    );
    expect(message).not.toContain('secret');
  });

  it('names the data dir when the embedded server stops answering', () => {
    const error = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(explainCliError(error, { databaseUrl: undefined, dataDir: '/srv/console' })).toBe(
      'the embedded database of DATA_DIR=/srv/console stopped answering: ECONNREFUSED. Is Console restarting? Start it with `npm start`, or set DATABASE_URL to a running server',
    );
  });

  it('says which part of DATABASE_URL to fix when the server refuses it', () => {
    const context = { databaseUrl: 'postgres://console:wrong@db:5433/console', dataDir: '/srv/console' };
    expect(explainCliError(pgError('28P01', 'password authentication failed for user "console"'), context)).toBe(
      'PostgreSQL at db:5433/console (DATABASE_URL) refused the credentials: password authentication failed for user "console". Fix the user and password in DATABASE_URL',
    );
    expect(explainCliError(pgError('3D000', 'database "console" does not exist'), context)).toBe(
      'PostgreSQL at db:5433/console (DATABASE_URL): database "console" does not exist. Create it (`createdb`) and run `npm run console -- migrate`, or point DATABASE_URL at the right database',
    );
  });

  it("keeps any other error's own message, which names its fix", () => {
    const error = new Error('Unknown projection "jbos"; known: jobs, stores');
    expect(explainCliError(error, { databaseUrl: undefined, dataDir: '/srv/console' })).toBe(error.message);
  });
});

describe('describeDatabaseUrl', () => {
  it('is host, port and database, the default port filled in', () => {
    expect(describeDatabaseUrl('postgres://u:p@localhost/console')).toBe('localhost:5432/console');
  });
});
