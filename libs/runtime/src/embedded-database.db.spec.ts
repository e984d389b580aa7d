import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedDatabaseUrl, startEmbeddedDatabase } from './embedded-database.js';

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

describe('embedded PostgreSQL', () => {
  it('runs with a random password kept 0600 in the data dir, refuses postgres/postgres, and adopts an older cluster on its next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'embedded-pw-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const passwordFile = join(dataDir, 'postgres-password');
    try {
      const first = await startEmbeddedDatabase({ dataDir, port, persistent: true });
      const password = readFileSync(passwordFile, 'utf8').trim();
      expect([password.length, statSync(passwordFile).mode & 0o777]).toEqual([32, 0o600]);
      expect(first.url).toBe(`postgres://postgres:${password}@127.0.0.1:${port}/console`);
      expect(embeddedDatabaseUrl(dataDir, port)).toBe(first.url); // what the CLI uses next to a running npm start
      expect(await refusal(first.url)).toBeNull();
      expect(await refusal(`postgres://postgres:postgres@127.0.0.1:${port}/console`)).toBe('28P01');

      // A cluster as an older version left it: password `postgres`, no password file.
      await query(first.url, "ALTER ROLE postgres PASSWORD 'postgres'");
      await first.stop();
      rmSync(passwordFile);

      const second = await startEmbeddedDatabase({ dataDir, port, persistent: true });
      const adopted = readFileSync(passwordFile, 'utf8').trim();
      expect(adopted).not.toBe(password);
      expect(await refusal(second.url)).toBeNull();
      expect(await refusal(`postgres://postgres:postgres@127.0.0.1:${port}/console`)).toBe('28P01');
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
