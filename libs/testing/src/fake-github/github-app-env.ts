import { generateKeyPairSync } from 'node:crypto';
import type { Octokit } from '@octokit/rest';
import type { FakeGitHub } from './fake-github.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/**
 * A GitHub App the fake GitHub trusts, put in the environment where the app reads it at start-up
 * (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY). Call before `startTestApp`; `restore` puts the
 * environment back as it was, for the next test file in the same worker.
 */
export function useGitHubAppEnv(github: FakeGitHub, appId = '99'): { restore(): void } {
  const saved = { GITHUB_APP_ID: process.env.GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY: process.env.GITHUB_APP_PRIVATE_KEY };
  github.setApp({ appId, publicKey });
  process.env.GITHUB_APP_ID = appId;
  process.env.GITHUB_APP_PRIVATE_KEY = privateKey;
  return {
    restore() {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/** Counts an Octokit client's requests in flight; `max()` is the most there ever were at once. */
export function trackRequestsInFlight(octokit: Pick<Octokit, 'hook'>): { max(): number } {
  let inFlight = 0;
  let max = 0;
  octokit.hook.wrap('request', async (request, options) => {
    max = Math.max(max, ++inFlight);
    try {
      return await request(options);
    } finally {
      inFlight--;
    }
  });
  return { max: () => max };
}
