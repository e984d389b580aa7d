import { describe, expect, it } from '@jest/globals';
import { ConfigurationError, loadConfig } from './config.js';

const CLERK = { CLERK_JWT_KEY: '-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----' };
/** What production requires besides Clerk's settings: a shared key and a database of its own. */
const PRODUCTION = { NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64), DATABASE_URL: 'postgres://db/console' };

describe('Clerk settings', () => {
  it('refuses to start in production with Clerk and no CLERK_AUTHORIZED_PARTIES, naming the setting', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ...CLERK })).toThrow(/CLERK_AUTHORIZED_PARTIES/);
    expect(() => loadConfig({ NODE_ENV: 'production', CLERK_SECRET_KEY: 'sk_live_x', CLERK_AUTHORIZED_PARTIES: ' , ' })).toThrow(
      /CLERK_AUTHORIZED_PARTIES/,
    );
  });

  it('starts in production with the allowlist, and reads the issuer when given', () => {
    const config = loadConfig({
      ...PRODUCTION,
      ...CLERK,
      CLERK_AUTHORIZED_PARTIES: 'https://app.example.com, https://admin.example.com,',
      CLERK_ISSUER: 'https://clerk.example.com',
    });
    expect(config.clerk).toEqual(
      expect.objectContaining({
        authorizedParties: ['https://app.example.com', 'https://admin.example.com'],
        issuer: 'https://clerk.example.com',
        jwtKey: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----',
      }),
    );
  });

  it('leaves the allowlist optional outside production, and local identity mode alone', () => {
    expect(loadConfig({ ...CLERK }).clerk).toEqual(expect.objectContaining({ authorizedParties: undefined, issuer: undefined }));
    expect(loadConfig({ ...PRODUCTION, DATA_DIR: '/var/lib/console' }).clerk).toBeNull();
  });
});

describe('METRICS_TOKEN', () => {
  it('is unset by default and read when given', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 's3cret' }).metricsToken).toBe('s3cret');
  });
});

describe('MIGRATE_ON_START and PROJECTOR_PORT', () => {
  it('migrate at start and serve the projector on 9464 by default; read true/false/1/0 and a port', () => {
    expect(loadConfig({})).toEqual(expect.objectContaining({ migrateOnStart: true, projectorPort: 9464 }));
    expect(loadConfig({ MIGRATE_ON_START: 'false', PROJECTOR_PORT: '0' })).toEqual(
      expect.objectContaining({ migrateOnStart: false, projectorPort: 0 }),
    );
    expect(loadConfig({ MIGRATE_ON_START: '0' }).migrateOnStart).toBe(false);
    expect(loadConfig({ MIGRATE_ON_START: 'TRUE' }).migrateOnStart).toBe(true);
  });

  it('refuses anything else, naming the setting', () => {
    expect(problemsOf({ MIGRATE_ON_START: 'no', PROJECTOR_PORT: 'metrics' })).toEqual([
      'MIGRATE_ON_START must be true or false, got "no"',
      'PROJECTOR_PORT must be a non-negative integer, got "metrics"',
    ]);
  });
});

/** The message of the ConfigurationError that `env` raises, or null when it loads. */
function problemsOf(env: NodeJS.ProcessEnv): readonly string[] | null {
  try {
    loadConfig(env);
    return null;
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return error.problems;
  }
}

describe('validation', () => {
  it('reports every malformed setting at once, one line naming each, instead of stopping at the first', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      CONSISTENCY_TIMEOUT_MS: '-5',
      QUOTA_WORKSPACES: 'many',
      RATE_LIMIT_SEARCH: '10 per minute',
      ENCRYPTION_KEY: 'c2hvcnQ=',
      EVENT_STORE_URL: 'mysql://db/events',
      GITHUB_API_URL: 'api.github.com',
    });
    expect(problems).toHaveLength(7);
    for (const name of [
      'PORT',
      'CONSISTENCY_TIMEOUT_MS',
      'QUOTA_WORKSPACES',
      'RATE_LIMIT_SEARCH',
      'ENCRYPTION_KEY',
      'EVENT_STORE_URL',
      'GITHUB_API_URL',
    ]) {
      expect(problems!.filter((problem) => problem.startsWith(name))).toHaveLength(1);
    }
  });

  it('prints the problems as a list under one heading', () => {
    expect(() => loadConfig({ PORT: 'x', QUOTA_API_KEYS_PER_USER: 'y' })).toThrow(
      /^Console cannot start; fix these 2 settings:\n {2}- PORT must be a non-negative integer, got "x"\n {2}- QUOTA_API_KEYS_PER_USER must be/,
    );
  });

  it('accepts an empty environment (the embedded default) and well-formed values', () => {
    expect(problemsOf({})).toBeNull();
    expect(
      problemsOf({ PORT: '8080', EVENT_STORE_URL: 'esdb://localhost:2113?tls=false', GITHUB_API_URL: 'https://ghe.example.com/api/v3/' }),
    ).toBeNull();
    expect(loadConfig({ GITHUB_API_URL: 'https://ghe.example.com/api/v3/' }).githubApiUrl).toBe('https://ghe.example.com/api/v3');
  });
});

describe('production', () => {
  it('requires ENCRYPTION_KEY, naming it and how to make one', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/console',
      ...CLERK,
      CLERK_AUTHORIZED_PARTIES: 'https://app.example.com',
    });
    expect(problems).toEqual([expect.stringMatching(/^ENCRYPTION_KEY must be set when NODE_ENV=production: .*openssl rand -base64 32/)]);
  });

  it('requires an explicit DATA_DIR only when a process would keep files there', () => {
    expect(problemsOf({ NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64) })).toEqual([
      'DATA_DIR must be set when NODE_ENV=production and a process keeps files: the embedded PostgreSQL (DATABASE_URL is unset) and local identity keys (Clerk is not configured)',
    ]);
    expect(problemsOf({ ...PRODUCTION })).toEqual([
      expect.stringMatching(/^DATA_DIR must be set .*: local identity keys \(Clerk is not configured\)$/),
    ]);
    expect(problemsOf({ ...PRODUCTION, ...CLERK, CLERK_AUTHORIZED_PARTIES: 'https://app.example.com' })).toBeNull();
  });

  it('reports the production requirements together with malformed values', () => {
    expect(problemsOf({ NODE_ENV: 'production', ...CLERK, PORT: 'x' })).toEqual([
      expect.stringMatching(/^CLERK_AUTHORIZED_PARTIES/),
      expect.stringMatching(/^ENCRYPTION_KEY/),
      expect.stringMatching(/^DATA_DIR/),
      expect.stringMatching(/^PORT/),
    ]);
  });
});

describe('DATABASE_READ_URL', () => {
  it('is unset by default, and read when DATABASE_URL names the primary', () => {
    expect(loadConfig({}).databaseReadUrl).toBeUndefined();
    expect(
      loadConfig({ DATABASE_URL: 'postgres://db/console', DATABASE_READ_URL: 'postgres://reader@replica/console' }).databaseReadUrl,
    ).toBe('postgres://reader@replica/console');
  });

  it('refuses a URL that is not PostgreSQL (without echoing its password) and a replica without a primary', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://db/console', DATABASE_READ_URL: 'mysql://reader:secret@replica/console' })).toEqual([
      'DATABASE_READ_URL must start with postgres:// or postgresql://, got "mysql://…@replica/console"',
    ]);
    expect(problemsOf({ DATABASE_READ_URL: 'postgres://replica/console' })).toEqual([
      'DATABASE_READ_URL needs DATABASE_URL: a read replica replicates the primary named there',
    ]);
  });
});

describe('OPERATOR_USER_IDS', () => {
  it('lists the operators, trimmed', () => {
    expect(loadConfig({ OPERATOR_USER_IDS: ' user_a, user_b ,' }).operatorUserIds).toEqual(['user_a', 'user_b']);
    expect(loadConfig({ ...CLERK, OPERATOR_USER_IDS: 'user_a' }).operatorUserIds).toEqual(['user_a']);
  });

  it('defaults to the banner user without Clerk, and to nobody with Clerk', () => {
    expect(loadConfig({}).operatorUserIds).toEqual(['user_local']);
    expect(loadConfig({ ...CLERK }).operatorUserIds).toEqual([]);
  });
});
