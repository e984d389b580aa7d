import fc from 'fast-check';
import { isISO8601 } from 'class-validator';
import { API_KEY_NAME_MAX_LENGTH } from '#domain';
import { unique, type BadInputFixture } from './bad-input.fixture.js';
import { routesOf, type Prepared, type Route } from './route.js';
import { stringField } from './values.arbitraries.js';

// CreateApiKeyBody / RotateApiKeyBody
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const validKeyName = (s: string) => s.length >= 1 && s.length <= API_KEY_NAME_MAX_LENGTH && /\S/.test(s);
// An hour of margin: "in the future" is checked again when the request arrives.
const validExpiry = (s: string) => INSTANT.test(s) && isISO8601(s, { strict: true }) && Date.parse(s) > Date.now() - 3_600_000;
const keyName = (required: boolean) => stringField('name', required, validKeyName);
const dateLike = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 19 }),
    fc.integer({ min: 0, max: 39 }),
    fc.constantFrom('', 'T00:00', 'T25:00:00Z', 'T00:00:00', 'T12:00:00+25:00', 'T00:00:00.000Z', ' 00:00:00Z'),
  )
  .map(([y, m, d, t]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${t}`);
const expiresAt = stringField('expiresAt', false, validExpiry, [
  fc.constantFrom(
    '2020-01-01',
    '2020-01-01T00:00:00Z',
    '1970-01-01T00:00:00.000Z',
    '2999-02-30',
    '2999-01-01T00:00:00',
    'tomorrow',
    'now',
    '+002999-01-01T00:00:00Z',
    '2999-1-1',
  ),
  dateLike.filter((s) => !validExpiry(s)),
  fc.integer({ min: 0 }).map((n) => Date.now() + n), // epoch milliseconds: a number, not a string
]);

export function apiKeyRoutes(fixture: BadInputFixture): Route[] {
  const route = routesOf(fixture);
  async function freshKey(): Promise<Prepared> {
    const created = await fixture.app.request('POST', '/v1/me/api-keys', { token: fixture.token, body: { name: `fresh ${unique()}` } });
    if (created.status !== 201) throw new Error(`fixture: key creation answered ${created.status}`);
    return { params: { id: created.body.id }, token: fixture.token };
  }

  return [
    route('POST', '/v1/me/api-keys', {
      body: { fields: [keyName(true), expiresAt], valid: () => ({ name: 'new key', expiresAt: '2999-01-01' }) },
    }),
    route('POST', '/v1/me/api-keys/:id/revoke', { prepare: freshKey }),
    route('DELETE', '/v1/me/api-keys/:id', { prepare: freshKey }),
    route('POST', '/v1/me/api-keys/:id/rotate', {
      prepare: freshKey,
      optionalBody: true,
      body: { fields: [keyName(false), expiresAt], valid: () => ({ name: 'rotated', expiresAt: '2999-01-01' }) },
    }),
  ];
}
