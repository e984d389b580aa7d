import fc from 'fast-check';
import { dot, show, withProperties, type BadCase, type Category } from './bad-case.js';
import { jsonish, noNul, type FieldRule } from './values.arbitraries.js';

/**
 * Keys named like a member every object inherits (`toString`, `constructor`, `__proto__`, …) or
 * `prototype`: they have a property of their own (test/bad-input/across-routes.e2e.ts), the others are generated here.
 */
export const PROTOTYPE_KEYS = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
/** Keys no DTO declares. */
const unknownKey = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 16 }).map(noNul),
    fc.constantFrom('id', 'userId', 'organizationId', 'role', 'isDefault', 'admin', '$where', 'name ', 'Name', 'NAME', ''),
  )
  .filter((k) => !PROTOTYPE_KEYS.includes(k));
const without = (base: Record<string, unknown>, names: readonly string[]) =>
  Object.fromEntries(Object.entries(base).filter(([k]) => !names.includes(k)));

/** Cases breaking one object's fields; `wrap` puts the broken object into an otherwise valid body. */
export function objectCases(
  fields: readonly FieldRule[],
  valid: () => Record<string, unknown>,
  prefix: string,
  wrap: (value: Record<string, unknown>) => Record<string, unknown>,
  requiredApply: boolean,
): Partial<Record<Category, fc.Arbitrary<BadCase>>> {
  const required = fields.filter((f) => f.required);
  const known = new Set(fields.map((f) => f.name));
  const cases: Partial<Record<Category, fc.Arbitrary<BadCase>>> = {
    field: fc
      .constantFrom(...fields)
      .chain((f) => f.invalid.map((value) => ({ f, value })))
      .map(({ f, value }) => ({
        category: 'field' as const,
        what: `${dot(prefix, f.name)} = ${show(value)}`,
        body: { json: wrap(withProperties(valid(), [[f.name, value]])) },
        fields: [dot(prefix, f.name)],
      })),
    extra: fc
      .uniqueArray(
        fc.tuple(
          unknownKey.filter((k) => !known.has(k)),
          jsonish,
        ),
        { minLength: 1, maxLength: 3, selector: ([k]) => k },
      )
      .map((extra) => ({
        category: 'extra' as const,
        what: `unknown ${extra.map(([k, v]) => `${dot(prefix, k)}: ${show(v)}`).join(', ')}`,
        body: { json: wrap(withProperties(valid(), extra)) },
        fields: extra.map(([k]) => dot(prefix, k)),
      })),
  };
  if (requiredApply && required.length > 0) {
    cases.missing = fc.subarray(required, { minLength: 1 }).map((missing) => ({
      category: 'missing' as const,
      what: `missing ${missing.map((f) => dot(prefix, f.name)).join(', ')}`,
      body: {
        json: wrap(
          without(
            valid(),
            missing.map((f) => f.name),
          ),
        ),
      },
      fields: missing.map((f) => dot(prefix, f.name)),
    }));
  }
  return cases;
}

/** Not JSON at all, or JSON that body-parser's strict mode refuses (a bare string, number, …). */
export function malformed(valid: () => Record<string, unknown>): fc.Arbitrary<BadCase> {
  const text = JSON.stringify(valid());
  return fc
    .oneof(
      fc.integer({ min: 1, max: text.length - 1 }).map((n) => text.slice(0, n)),
      fc.constantFrom(
        `${text},`,
        `${text}}`,
        `${text}${text}`,
        text.replace(/"/g, "'"),
        text.replace(/"([A-Za-z]+)":/g, '$1:'),
        text.replace(/}$/, ',}'),
        '{',
        '}',
        '{"a":}',
        '{"a":undefined}',
        '{"a":NaN}',
        '{"a":1e}',
        '"text"',
        '42',
        'true',
        'null',
        '{"a":"\\u00"}',
        '{"a":"\\x41"}',
      ),
      // Not '': body-parser reads an empty body as no body at all (valid on the routes that read none).
      fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => s !== '' && !parsesAsObject(s)),
    )
    .map((raw) => ({ category: 'malformed' as const, what: `body ${show(raw)}`, body: { raw }, statuses: [400] }));
}
function parsesAsObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

const CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'text/json',
  'application/xml',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/json; charset=utf-16',
  'application/json; charset=klingon',
  'image/png',
  '',
  null, // no Content-Type header at all
];

export function contentTypes(valid: () => Record<string, unknown>): fc.Arbitrary<BadCase> {
  return fc.constantFrom(...CONTENT_TYPES).map((type) => ({
    category: 'content-type' as const,
    what: `a valid JSON body sent as ${type === null ? 'no content type' : JSON.stringify(type)}`,
    // Bytes: fetch adds no Content-Type of its own to a Uint8Array body.
    body: { raw: new TextEncoder().encode(JSON.stringify(valid())) },
    headers: type === null ? {} : ({ 'content-type': type } as Record<string, string>),
    // 415 is the precise answer for an unsupported charset; 400 for a body that cannot be read as the DTO.
    statuses: [400, 415],
  }));
}
