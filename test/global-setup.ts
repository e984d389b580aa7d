import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../libs/runtime/src/embedded-database.ts';

/**
 * Tests use DATABASE_URL when it is set (CI: the machine's PostgreSQL) and an embedded cluster
 * otherwise, so `npm test` passes on a machine with nothing installed. Each test file then creates
 * its own database on that server (test/support/database.ts).
 */
export default async function globalSetup(_globalConfig: unknown, projectConfig: { displayName?: { name?: string } }): Promise<void> {
  // e2e tests that run Console as child processes (crash, faults, read-only install) run dist/, as
  // production does: built once here, before any worker starts, so no test rewrites it under another.
  if (projectConfig.displayName?.name === 'e2e') execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (process.env.DATABASE_URL) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'console-test-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const database: EmbeddedDatabase = await startEmbeddedDatabase({ dataDir, port, persistent: false });
  process.env.DATABASE_URL = database.url;
  (globalThis as { __embeddedDatabase?: EmbeddedDatabase }).__embeddedDatabase = database;
}
