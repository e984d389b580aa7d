import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '#testing';
import { loadConfig } from './config.js';
import { openRuntime } from './runtime.js';

const CLERK = { CLERK_JWT_KEY: '-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----' };

describe('openRuntime and the data directory', () => {
  let database: TestDatabase;
  const dataDirs: string[] = [];
  const freshDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-runtime-'));
    dataDirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('writes no identity key (nothing at all) under DATA_DIR when Clerk is configured and the databases are external', async () => {
    const dataDir = freshDataDir();
    const runtime = await openRuntime(
      loadConfig({ ...CLERK, DATA_DIR: dataDir, DATABASE_URL: database.url, ENCRYPTION_KEY: 'b'.repeat(64) }),
      {
        databaseUrl: database.url,
      },
    );
    try {
      expect(runtime.config.clerk).not.toBeNull();
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      await runtime.close();
    }
  });

  it('keeps the local identity keys under DATA_DIR without Clerk, where the CLI finds them again', async () => {
    const dataDir = freshDataDir();
    const runtime = await openRuntime(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: database.url }), { databaseUrl: database.url });
    await runtime.close();
    expect(existsSync(join(dataDir, 'identity'))).toBe(true);
  });
});

describe('openRuntime with a read replica (readDatabaseUrl)', () => {
  let primary: TestDatabase;
  let empty: TestDatabase;

  beforeAll(async () => {
    [primary, empty] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([primary?.drop(), empty?.drop()]);
  });

  it('reads the primary through readDataSource and readCheckpoints when none is given: the very same objects', async () => {
    const runtime = await openRuntime(loadConfig({ DATABASE_URL: primary.url, ENCRYPTION_KEY: 'b'.repeat(64), ...CLERK }), {
      databaseUrl: primary.url,
    });
    try {
      expect(runtime.readDataSource).toBe(runtime.dataSource);
      expect(runtime.readCheckpoints).toBe(runtime.checkpoints);
    } finally {
      await runtime.close();
    }
  });

  it('refuses to start on a replica without the read-model schema, naming DATABASE_READ_URL', async () => {
    const config = loadConfig({ DATABASE_URL: primary.url, ENCRYPTION_KEY: 'b'.repeat(64), ...CLERK });
    await expect(openRuntime(config, { databaseUrl: primary.url, readDatabaseUrl: empty.url })).rejects.toThrow(
      /^The read replica \(DATABASE_READ_URL\) lacks read-model migrations this version needs: /,
    );
  });
});
