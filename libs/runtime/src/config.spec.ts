import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.js';

const CLERK = { CLERK_JWT_KEY: '-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----' };

describe('Clerk settings', () => {
  it('refuses to start in production with Clerk and no CLERK_AUTHORIZED_PARTIES, naming the setting', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ...CLERK })).toThrow(/CLERK_AUTHORIZED_PARTIES/);
    expect(() => loadConfig({ NODE_ENV: 'production', CLERK_SECRET_KEY: 'sk_live_x', CLERK_AUTHORIZED_PARTIES: ' , ' })).toThrow(
      /CLERK_AUTHORIZED_PARTIES/,
    );
  });

  it('starts in production with the allowlist, and reads the issuer when given', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
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
    expect(loadConfig({ NODE_ENV: 'production' }).clerk).toBeNull();
  });
});

describe('METRICS_TOKEN', () => {
  it('is unset by default and read when given', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 's3cret' }).metricsToken).toBe('s3cret');
  });
});
