import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '#testing';
import { freePort, startConsoleProcess } from './support/console-processes.js';

/**
 * The built CLI (`dist/`, built by the e2e global setup) as a user runs it: each mistake ends with
 * exit code 1 and one message on stderr that names the fix.
 */
describe('the CLI, when something is wrong', () => {
  let database: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'console-cli-'));

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function cli(env: Record<string, string>, ...args: string[]) {
    const child = startConsoleProcess('console-cli-e2e', 'cli', { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }, args);
    const { code } = await child.exited;
    return { code, output: child.output() };
  }

  it('lists the known projections for an unknown one', async () => {
    const result = await cli({ DATABASE_URL: database.url }, 'replay', 'jbos');
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^error: Unknown projection "jbos"; known: .*\bjobs\b.*\bjob_stats\b/);
  });

  it('suggests the command meant, and the usage, for a mistyped one', async () => {
    const result = await cli({ DATABASE_URL: database.url }, 'stauts');
    expect(result.code).toBe(1);
    expect(result.output).toContain("error: unknown command 'stauts'\n(Did you mean status?)\n(add --help for usage)");
  });

  it('names the server of DATABASE_URL when nothing listens there, and how to get one', async () => {
    const port = await freePort();
    const result = await cli({ DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/console` }, 'status');
    expect(result.code).toBe(1);
    expect(result.output).toBe(
      `error: cannot reach PostgreSQL at 127.0.0.1:${port}/console (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:${port}. ` +
        'Start that server, or unset DATABASE_URL to use the embedded database of a Console started with `npm start`\n',
    );
  });

  it('says a stream holds nothing, and how to find stream ids', async () => {
    const result = await cli({ DATABASE_URL: database.url }, 'events', 'stream', 'job-404');
    expect(result.code).toBe(1);
    expect(result.output).toContain('error: stream "job-404" not found: no event is stored under that id.');
  });
});
