import fc from 'fast-check';
import { isPosition } from '#event-store';
import { insertNul, show, type BadCase, type Category } from './bad-case.js';
import { contentTypes, malformed, objectCases } from './body-cases.arbitraries.js';
import type { Route } from './route.js';
import { anyString, wellFormed } from './values.arbitraries.js';

/** Node answers 431 (no body, before the app) past 16 KiB of request line and headers. */
export const MAX_URL_PART = 6_000;

/** Path segments naming nothing: odd characters (sent encoded), percent-encoded junk, very long. */
const badSegment = fc.oneof(
  anyString
    .map(wellFormed)
    .filter((s) => s !== '' && s !== '.' && s !== '..' && encodeURIComponent(s).length <= MAX_URL_PART)
    .map((s) => ({ sent: encodeURIComponent(s), decoded: s as string | null })),
  fc
    .tuple(
      fc.constantFrom('', 'a', 'x-'),
      fc.constantFrom(
        '%',
        '%Z',
        '%ZZ',
        '%E0%A4%A',
        '%C0%AF',
        '%FF',
        '%ED%A0%80',
        '%2F',
        '%2e%2e%2f',
        '%25',
        '%u0041',
        '%%',
        '%0A',
        '%0D%0A',
        '%7F',
        '%F0%9F%98',
      ),
      fc.constantFrom('', 'b', '%41'),
    )
    .map(([a, junk, b]) => `${a}${junk}${b}`)
    .filter((s) => !/^(?:\.|%2e){1,2}$/i.test(s))
    .map((sent) => ({ sent, decoded: null as string | null })),
  fc.integer({ min: 200, max: MAX_URL_PART }).map((n) => ({ sent: 'x'.repeat(n), decoded: 'x'.repeat(n) as string | null })),
);

export const pathNames = (r: Route) => [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

export function pathCases(r: Route): fc.Arbitrary<BadCase> | undefined {
  const names = pathNames(r);
  if (names.length === 0) return undefined;
  return fc.tuple(fc.constantFrom(...names), badSegment).map(([name, segment]) => {
    const body = r.body?.valid();
    return {
      category: 'path' as const,
      what: `:${name} = ${show(segment.sent)}`,
      params: { [name]: segment },
      ...(body === undefined ? {} : { body: { json: body } }),
    };
  });
}

export function queryCases(r: Route): fc.Arbitrary<BadCase> {
  const value = fc.oneof(
    anyString
      .filter((s) => !isPosition(s))
      .map((s) => `minPosition=${encodeURIComponent(wellFormed(s))}`)
      .filter((q) => q.length <= MAX_URL_PART),
    fc.constantFrom(
      'minPosition=1/2&minPosition=3/4',
      'minPosition=%ZZ',
      'minPosition=-1/0',
      'minPosition=1/2/3',
      'minPosition=0x1/1',
      'minPosition=1%2F',
      'minPosition=123456789012345678901/1',
      'minPosition=',
    ),
  );
  return value.map((query) => {
    const body = r.body?.valid();
    return {
      category: 'query' as const,
      what: `?${show(query)}`,
      query,
      ...(body === undefined ? {} : { body: { json: body } }),
      fields: ['minPosition'],
    };
  });
}

/** `Idempotency-Key` must be 1–200 characters (fetch trims surrounding whitespace, so "   " arrives empty). */
export function idempotencyCases(r: Route): fc.Arbitrary<BadCase> {
  const key = fc.oneof(
    fc.constantFrom('', '   ', '\t'),
    fc
      .integer({ min: 201, max: MAX_URL_PART })
      .chain((n) =>
        fc
          .string({ unit: fc.constantFrom(...'abcXYZ019-_.:/ "\'\\;%'.split('')), minLength: n - 2, maxLength: n - 2 })
          .map((s) => `k${s}k`),
      ),
  );
  return key.map((value) => {
    const body = r.body?.valid();
    return {
      category: 'idempotency-key' as const,
      what: `Idempotency-Key of ${value.trim().length} characters ${show(value.slice(0, 24))}`,
      headers: { 'idempotency-key': value },
      ...(body === undefined ? {} : { body: { json: body } }),
      fields: ['Idempotency-Key'],
    };
  });
}

/** The string leaves of a JSON value, with their paths. */
function stringLeaves(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}
function updateAt(value: unknown, path: ReadonlyArray<string | number>, update: (leaf: string) => string): unknown {
  if (path.length === 0) return update(value as string);
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? updateAt(v, rest, update) : v));
  return { ...(value as Record<string, unknown>), [head!]: updateAt((value as Record<string, unknown>)[head!], rest, update) };
}
const nulText = fc.constantFrom('\u0000', '\u0000\u0000', 'x\u0000y');

/**
 * U+0000 in a valid value: in a string field of the body (where the DTO may allow it, but neither
 * a PostgreSQL text column nor jsonb can hold it) or in a path parameter.
 */
export function nulCases(r: Route): fc.Arbitrary<BadCase> | undefined {
  const body = r.body?.valid();
  const leaves = body === undefined ? [] : stringLeaves(body);
  const names = pathNames(r);
  const options: fc.Arbitrary<BadCase>[] = [];
  if (leaves.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...leaves), fc.nat({ max: 12 }), nulText).map(([leaf, at, nul]) => ({
        category: 'U+0000' as const,
        what: `U+0000 in ${leaf.join('.')} (${JSON.stringify(nul)} at ${at})`,
        body: { json: updateAt(r.body!.valid(), leaf, insertNul(at, nul)) },
        fields: [leaf.join('.')],
      })),
    );
  }
  if (names.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...names), fc.nat({ max: 12 }), nulText).map(([name, at, nul]) => {
        const valid = r.body?.valid();
        return {
          category: 'U+0000' as const,
          what: `U+0000 in :${name} (${JSON.stringify(nul)} at ${at})`,
          params: { [name]: { nulAt: at, nul } },
          ...(valid === undefined ? {} : { body: { json: valid } }),
        };
      }),
    );
  }
  return options.length === 0 ? undefined : fc.oneof(...options);
}

/** Every category of the per-route properties that applies to a route, with its generator. */
export function casesFor(r: Route): Partial<Record<Category, fc.Arbitrary<BadCase>>> {
  const spec = r.body;
  const all: Partial<Record<Category, fc.Arbitrary<BadCase>[]>> = {};
  const add = (cases: Partial<Record<Category, fc.Arbitrary<BadCase> | undefined>>) => {
    for (const [category, arbitrary] of Object.entries(cases) as Array<[Category, fc.Arbitrary<BadCase> | undefined]>)
      if (arbitrary) (all[category] ??= []).push(arbitrary);
  };
  if (spec) {
    add(objectCases(spec.fields, spec.valid, '', (b) => b, !r.optionalBody));
    for (const nested of spec.nested ?? []) add(objectCases(nested.fields, nested.valid, nested.at, nested.put, true));
    add({
      'content-type': contentTypes(spec.valid),
      'not-an-object': fc
        .constantFrom(
          () => [spec.valid()],
          () => [],
          () => [[]],
          () => [spec.valid(), spec.valid()],
        )
        .map((make) => ({
          category: 'not-an-object' as const,
          what: `a JSON array body ${show(make())}`,
          body: { json: make() },
          statuses: [400],
        })),
    });
  }
  // Every route parses JSON bodies, those that read none included.
  add({ malformed: malformed(spec?.valid ?? (() => ({ reason: 'x' }))) });
  add({ path: pathCases(r) });
  if (r.minPosition) add({ query: queryCases(r) });
  if (!r.query) add({ 'idempotency-key': idempotencyCases(r) });
  return Object.fromEntries(
    Object.entries(all).map(([category, list]) => [category, list!.length === 1 ? list![0]! : fc.oneof(...list!)]),
  ) as Partial<Record<Category, fc.Arbitrary<BadCase>>>;
}
