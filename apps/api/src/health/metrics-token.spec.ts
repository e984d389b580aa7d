import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../common/api-error.js';
import { requireMetricsToken } from './metrics-token.js';

describe('requireMetricsToken', () => {
  it('lets everything through when no token is configured', () => {
    expect(() => requireMetricsToken(undefined, undefined)).not.toThrow();
  });

  it('accepts exactly Bearer <token>, and refuses anything else with a 401', () => {
    expect(() => requireMetricsToken('t0ken', 'Bearer t0ken')).not.toThrow();
    expect(() => requireMetricsToken('t0ken', 'bearer t0ken')).not.toThrow();
    for (const header of [undefined, '', 'Bearer', 'Bearer t0ke', 'Bearer t0kenx', 'Basic t0ken', 't0ken', 'Bearer t0ken extra']) {
      let status: number | undefined;
      try {
        requireMetricsToken('t0ken', header);
      } catch (error) {
        status = error instanceof ApiError ? error.getStatus() : -1;
      }
      expect({ header, status }).toEqual({ header, status: 401 });
    }
  });
});
