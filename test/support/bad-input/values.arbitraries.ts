import fc from 'fast-check';

/** Fragments that have broken parsers, queries and logs before (U+0000 has a property of its own). */
const SPICE = [
  "'",
  '"',
  '\\',
  '`',
  "'; DROP TABLE es_events; --",
  "' OR '1'='1",
  '" OR ""="',
  "'); SELECT pg_sleep(5); --",
  '$1',
  '%s%n',
  '%00',
  '\\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\u001b[2J',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  'İ',
  'ß',
  '\r\n',
  '\t',
  ' ',
  '../',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://x}',
  'null',
  'undefined',
  'NaN',
  '[]',
  '{}',
];

export const noNul = (s: string) => s.replace(/\u0000/g, '');
/** Lone surrogates replaced (encodeURIComponent throws on them). */
export const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const spicy = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...SPICE), fc.string({ maxLength: 8 }))
  .map(([a, b, c]) => noNul(a + b + c));
const longString = fc
  .tuple(fc.integer({ min: 101, max: 5_000 }), fc.constantFrom('a', 'Z9', 'é', '😀', "'", '-', ' x'))
  .map(([n, unit]) => unit.repeat(n));
const blank = fc.constantFrom('', ' ', '   ', '\t', '\n', '\r\n', '\u00a0', '\u3000');
/** Any string but U+0000: unicode (lone surrogates included), quote- and SQL-laden, very long, blank. */
export const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }).map(noNul),
  spicy,
  longString,
  blank,
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map(noNul),
);
export const invalidString = (valid: (s: string) => boolean) => anyString.filter((s) => !valid(s));

export interface NotA {
  /** null is no violation of an optional field (`@IsOptional` accepts it). */
  readonly optional?: boolean;
}
export const numbers = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2),
);
export const jsonish = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(noNul(JSON.stringify(v))) as unknown);
export const dictionary = fc.dictionary(fc.string({ maxLength: 6 }).map(noNul), jsonish, { maxKeys: 4 });
export const structures = fc.oneof(fc.array(jsonish, { maxLength: 4 }), dictionary);
const nullUnless = (options: NotA) => (options.optional ? [] : [fc.constant(null)]);
/** Values of any JSON type but string. */
export const notAString = (options: NotA = {}) => fc.oneof(numbers, fc.boolean(), structures, ...nullUnless(options));
export const notABoolean = () => fc.oneof(numbers, fc.constantFrom('true', 'false', '1', '0', 'yes', ''), structures, fc.constant(null));
export const notAnArray = () => fc.oneof(numbers, fc.boolean(), anyString, dictionary, fc.constant(null));
/** Not an object; arrays are left to the `syncConfig` property below. */
export const notAnObject = (options: NotA = {}) => fc.oneof(numbers, fc.boolean(), anyString, ...nullUnless(options));

/** A field, and values that break its DTO rules (never a valid value). */
export interface FieldRule {
  readonly name: string;
  readonly required: boolean;
  readonly invalid: fc.Arbitrary<unknown>;
}
export const field = (name: string, required: boolean, invalid: fc.Arbitrary<unknown>): FieldRule => ({ name, required, invalid });
export const stringField = (name: string, required: boolean, valid: (s: string) => boolean, extra: fc.Arbitrary<unknown>[] = []) =>
  field(name, required, fc.oneof(notAString({ optional: !required }), invalidString(valid), ...extra));
