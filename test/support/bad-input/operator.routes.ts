import type { BadInputFixture } from './bad-input.fixture.js';
import { routesOf, type Route } from './route.js';
import { stringField } from './values.arbitraries.js';

// CreateConsoleSessionBody
const codeField = stringField('code', true, (s) => s.length >= 16 && s.length <= 200);

/**
 * The operator routes (the fixture's user is an operator) and the console's sign-in. The dead letter
 * routes name a letter that does not exist: a valid request answers 404 there, so no accepted case
 * could consume one; operator.e2e.ts covers them with real dead letters.
 */
export function operatorRoutes(fixture: BadInputFixture): Route[] {
  const route = routesOf(fixture);
  return [
    route('POST', '/v1/operator/projections/:name/rebuild', { params: () => ({ name: 'jobs' }) }),
    route('POST', '/v1/operator/dead-letters/:id/retry', { params: () => ({ id: '999999999' }) }),
    route('POST', '/v1/operator/dead-letters/:id/skip', { params: () => ({ id: '999999999' }) }),
    route('POST', '/v1/console/sessions', {
      // Public and appends nothing: an Idempotency-Key means nothing to it.
      query: true,
      body: {
        fields: [codeField],
        // Shaped like a code; built before the app exists, so never issued (a valid request would get 401).
        valid: () => ({ code: 'c'.repeat(32) }),
      },
    }),
  ];
}
