import { describe, expect, it } from '@jest/globals';
import { redactQuery } from './request-logging.js';

describe('request log redaction', () => {
  it('hides OAuth codes and states in logged URLs and keeps everything else', () => {
    expect(redactQuery('/v1/github/callback?code=abc123&state=s1.sig&installation_id=7')).toBe(
      '/v1/github/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&installation_id=7',
    );
    expect(redactQuery('/v1/orgs/acme/workspaces?minPosition=1/2')).toBe('/v1/orgs/acme/workspaces?minPosition=1%2F2');
    expect(redactQuery('/health/live')).toBe('/health/live');
  });
});
