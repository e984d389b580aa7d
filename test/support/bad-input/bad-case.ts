export type Category =
  | 'field'
  | 'missing'
  | 'extra'
  | 'malformed'
  | 'not-an-object'
  | 'content-type'
  | 'path'
  | 'query'
  | 'idempotency-key'
  | 'U+0000'
  | 'deep-json'
  | 'prototype-keys'
  | 'syncConfig-array';

/** A path parameter replaced by one sent as is, or the valid one with U+0000 inserted at `nulAt`. */
export type ParamOverride = { readonly sent: string; readonly decoded: string | null } | { readonly nulAt: number; readonly nul: string };

export interface BadCase {
  readonly what: string;
  readonly category: Category;
  readonly params?: Readonly<Record<string, ParamOverride>>;
  readonly query?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A JSON value (sent as application/json), raw text (as application/json) or bytes (content type
   * from `headers`), or a valid body with one property nested `depth` deep (built when sent: fast-check
   * could not print such a value).
   */
  readonly body?: { readonly json: unknown } | { readonly raw: string | Uint8Array } | { readonly deep: DeepBody };
  /** The offending fields a 400 must name; absent when no field applies (malformed body, content type, path). */
  readonly fields?: readonly string[];
  /** The statuses the case may answer (default: any 4xx). */
  readonly statuses?: readonly number[];
}

export interface DeepBody {
  readonly base: Record<string, unknown>;
  readonly name: string;
  readonly depth: number;
  readonly kind: 'array' | 'object';
}
export function deepBodyText({ base, name, depth, kind }: DeepBody): string {
  const value = kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return JSON.stringify(withProperties(base, [[name, '\u0001deep']])).replace('"\\u0001deep"', value);
}

/** Sets own properties, whatever their names (`__proto__` included). */
export function withProperties(base: Record<string, unknown>, entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of [...Object.entries(base), ...entries])
    Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  return copy;
}
export const dot = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
export const show = (value: unknown) => {
  const text =
    (value instanceof Uint8Array
      ? new TextDecoder().decode(value)
      : typeof value === 'string'
        ? JSON.stringify(value)
        : JSON.stringify(value)) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}… (${text.length} chars)` : text;
};
export const insertNul = (at: number, nul: string) => (s: string) =>
  s.slice(0, Math.min(at, s.length)) + nul + s.slice(Math.min(at, s.length));
