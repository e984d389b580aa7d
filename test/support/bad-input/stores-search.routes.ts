import fc from 'fast-check';
import { ORG, WS, unique, type BadInputFixture } from './bad-input.fixture.js';
import { routesOf, type Prepared, type Route } from './route.js';
import { field, notABoolean, notAnArray, notAnObject, notAString, stringField, type FieldRule } from './values.arbitraries.js';

// EnsureStoreBody, ContentsBody, SearchBody
const notAnIntegerIn = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ max: min - 1 }),
    fc.integer({ min: max + 1 }),
    fc.double({ min: min + 0.01, max: max - 0.01, noNaN: true }).filter((n) => !Number.isInteger(n)),
    fc.constantFrom('1', '10', true, [], {}),
  );
const CONTENT_IDS = field(
  'ids',
  true,
  fc.oneof(
    notAnArray(),
    fc.constant([]),
    fc.constant(Array.from({ length: 51 }, (_, i) => `doc_${i}`)),
    fc.array(fc.oneof(notAString(), fc.constant(''), fc.constant('x'.repeat(192))), { minLength: 1, maxLength: 3 }),
  ),
);
const SEARCH: FieldRule[] = [
  stringField('query', true, (s) => s.length >= 1 && s.length <= 1000 && /\S/.test(s), [fc.constant('q'.repeat(1001))]),
  field('topK', false, notAnIntegerIn(1, 100)),
  field(
    'includeHighlights',
    false,
    notABoolean().filter((v) => v !== null),
  ),
  // The store label is required: without `filters` there is none.
  field('filters', true, notAnObject()),
];
const SEARCH_FILTERS: FieldRule[] = [
  field(
    'labels',
    true,
    fc.oneof(
      notAnArray(),
      fc.constant([]),
      fc.constantFrom(
        ['docs'],
        ['store:'],
        ['store:Bad Slug'],
        ['store:docs', 'store:other'],
        Array.from({ length: 21 }, (_, i) => `label-${i}`),
      ),
      fc.array(notAString(), { minLength: 1, maxLength: 3 }),
    ),
  ),
];
const validSearch = () => ({ query: 'docs', topK: 5, includeHighlights: true, filters: { labels: ['store:docs'] } });

export function storeAndSearchRoutes(fixture: BadInputFixture): Route[] {
  const route = routesOf(fixture);
  // The API key and workspace `POST /v1/contents` and `POST /v1/search` are called with.
  const withKey = async (): Promise<Prepared> => ({
    params: {},
    token: fixture.apiKey,
    headers: { 'x-workspace-id': fixture.workspaceId },
  });
  return [
    // A fresh slug per case: a wrongly accepted one would create a store (and append).
    route('PUT', '/v1/orgs/:org/workspaces/:ws/stores/:slug', {
      params: () => ({ org: ORG, ws: WS, slug: `s${unique()}`.slice(0, 20) }),
      optionalBody: true,
      body: { fields: [field('embeddingDim', false, notAnIntegerIn(1, 4096))], valid: () => ({ embeddingDim: 1024 }) },
    }),
    route('POST', '/v1/contents', {
      prepare: withKey,
      minPosition: true,
      query: true,
      body: { fields: [CONTENT_IDS], valid: () => ({ ids: ['doc_unknown'] }) },
    }),
    route('POST', '/v1/search', {
      prepare: withKey,
      minPosition: true,
      query: true,
      body: {
        fields: SEARCH,
        valid: validSearch,
        nested: [
          {
            at: 'filters',
            fields: SEARCH_FILTERS,
            valid: () => ({ labels: ['store:docs'] }),
            put: (value) => ({ ...validSearch(), filters: value }),
          },
        ],
      },
    }),
  ];
}
