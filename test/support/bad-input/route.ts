import fc from 'fast-check';
import type { BadInputFixture } from './bad-input.fixture.js';
import type { FieldRule } from './values.arbitraries.js';

export interface Prepared {
  readonly params: Record<string, string>;
  readonly token: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface BodySpec {
  readonly fields: readonly FieldRule[];
  /** A valid body (every generated case breaks it in one way). */
  readonly valid: () => Record<string, unknown>;
  /** Objects inside the body: their path, fields, a valid one, and how a (broken) one goes into a valid body. */
  readonly nested?: ReadonlyArray<{
    readonly at: string;
    readonly fields: readonly FieldRule[];
    readonly valid: () => Record<string, unknown>;
    readonly put: (value: Record<string, unknown>) => Record<string, unknown>;
  }>;
}

export interface Route {
  readonly name: string;
  /** How fast-check prints the route in a counterexample. */
  readonly [fc.toStringMethod]: () => string;
  readonly method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Valid path parameters and token; a fresh fixture when a wrongly accepted case would consume it. */
  readonly prepare: () => Promise<Prepared>;
  readonly body?: BodySpec;
  /** Reads `?minPosition=` (a `@ReadsFrom` route). */
  readonly minPosition?: boolean;
  /** RotateApiKeyBody: nothing is required and no body at all is valid. */
  readonly optionalBody?: boolean;
  /** A query sent as POST (contents, search): it appends nothing, so an Idempotency-Key means nothing to it. */
  readonly query?: boolean;
}

export type RouteOptions = Partial<Omit<Route, 'method' | 'path' | 'name' | typeof fc.toStringMethod>> & {
  params?: () => Record<string, string>;
};

/** Routes whose default `prepare` sends the fixture's admin token with `params`. */
export const routesOf =
  (fixture: BadInputFixture) =>
  (method: Route['method'], path: string, options: RouteOptions = {}): Route => ({
    name: `${method} ${path}`,
    [fc.toStringMethod]: () => `${method} ${path}`,
    method,
    path,
    prepare: options.prepare ?? (async () => ({ params: options.params?.() ?? {}, token: fixture.token })),
    ...(options.body ? { body: options.body } : {}),
    ...(options.minPosition ? { minPosition: true } : {}),
    ...(options.optionalBody ? { optionalBody: true } : {}),
    ...(options.query ? { query: true } : {}),
  });
