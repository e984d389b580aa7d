import { afterAll } from '@jest/globals';
import fc from 'fast-check';
import type { TestApp } from '../app.js';
import { deepBodyText, insertNul, type BadCase, type Category, type ParamOverride } from './bad-case.js';
import type { BadInputFixture } from './bad-input.fixture.js';
import type { Prepared, Route } from './route.js';

export const SEED = Number(process.env.FC_SEED ?? 42_026);
export const RUNS_PER_ROUTE = Number(process.env.FC_RUNS ?? 30);
/** A failing property stops shrinking after this long and reports the smallest case found so far. */
const TIME_LIMIT_MS = 15_000;

/** Relative weights: a route's runs are shared among the categories that apply to it. */
const WEIGHT: Partial<Record<Category, number>> = {
  field: 10,
  missing: 3,
  extra: 4,
  malformed: 3,
  'not-an-object': 2,
  'content-type': 3,
  path: 6,
  query: 3,
  'idempotency-key': 3,
  'U+0000': 4,
};

const casesRun = new Map<string, number>();
const categoriesRun = new Map<string, Map<string, number>>();

function pathOf(r: Route, valid: Record<string, string>, overrides: Readonly<Record<string, ParamOverride>> = {}): string {
  return r.path.replace(/:(\w+)/g, (_, name: string) => {
    const override = overrides[name];
    if (!override) return encodeURIComponent(valid[name]!);
    if ('sent' in override) return override.sent;
    return encodeURIComponent(insertNul(override.nulAt, override.nul)(valid[name]!));
  });
}

async function send(app: TestApp, r: Route, prepared: Prepared, c: BadCase): Promise<{ status: number; text: string; body: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${prepared.token}`, ...prepared.headers, ...c.headers };
  let body: string | Uint8Array | undefined;
  if (c.body && 'json' in c.body) {
    body = JSON.stringify(c.body.json);
    headers['content-type'] ??= 'application/json';
  } else if (c.body && 'deep' in c.body) {
    body = deepBodyText(c.body.deep);
    headers['content-type'] ??= 'application/json';
  } else if (c.body && 'raw' in c.body) {
    body = c.body.raw;
    if (typeof body === 'string') headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${app.baseUrl}${pathOf(r, prepared.params, c.params)}${c.query ? `?${c.query}` : ''}`, {
    method: r.method,
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, text, body: parsed };
}

/** A field named in a 400 relates to an expected one when it is that field, inside it, or holds it. */
const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

async function check(app: TestApp, r: Route, c: BadCase): Promise<void> {
  const prepared = await r.prepare();
  // A replaced path parameter that happens to be the valid one is no bad input.
  for (const [name, override] of Object.entries(c.params ?? {}))
    fc.pre(!('decoded' in override) || override.decoded?.toLowerCase() !== prepared.params[name]?.toLowerCase());
  const perRoute = categoriesRun.get(r.name) ?? new Map<string, number>();
  categoriesRun.set(r.name, perRoute.set(c.category, (perRoute.get(c.category) ?? 0) + 1));
  casesRun.set(r.name, (casesRun.get(r.name) ?? 0) + 1);

  const before = await app.eventCount({ ignoreKeyUse: true });
  const response = await send(app, r, prepared, c);
  const appended = (await app.eventCount({ ignoreKeyUse: true })) - before;

  const problems: string[] = [];
  const { status } = response;
  if (status < 400 || status > 499) problems.push(`status ${status}, expected 4xx`);
  else if (c.statuses && !c.statuses.includes(status)) problems.push(`status ${status}, expected ${c.statuses.join(' or ')}`);
  const error = (response.body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const shaped =
    typeof response.body === 'object' &&
    response.body !== null &&
    Object.keys(response.body).join() === 'error' &&
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    error.code.length > 0 &&
    typeof error.message === 'string' &&
    Object.keys(error).every((k) => ['code', 'message', 'details'].includes(k));
  if (!shaped && status >= 400) problems.push('the body is not { error: { code, message, details? } }');
  if (status === 400 && c.fields && shaped) {
    const named: string[] = ((error!.details as { fields?: Array<{ field: string }> } | undefined)?.fields ?? []).map((f) => f.field);
    const message = error!.message as string;
    if (!c.fields.some((f) => named.some((n) => related(n, f)) || message.includes(f)))
      problems.push(`the 400 names none of ${JSON.stringify(c.fields)} (it names ${JSON.stringify(named)})`);
    const stray = named.filter((n) => !c.fields!.some((f) => related(n, f)));
    if (stray.length > 0) problems.push(`the 400 also names ${JSON.stringify(stray)}, which the case did not break`);
  }
  if (appended !== 0) problems.push(`${appended} event(s) appended`);
  if (problems.length > 0) {
    throw new Error(`${r.name} with ${c.what} [${c.category}]: ${problems.join('; ')}\n  answer: ${status} ${response.text.slice(0, 300)}`);
  }
}

export const assertProperty = (fixture: BadInputFixture, arbitrary: fc.Arbitrary<readonly [Route, BadCase]>, numRuns: number) =>
  fc.assert(
    fc.asyncProperty(arbitrary, ([r, c]) => check(fixture.app, r, c)),
    { seed: SEED, numRuns, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );

export function runsFor(categories: readonly Category[], category: Category): number {
  const total = categories.reduce((sum, c) => sum + (WEIGHT[c] ?? 0), 0);
  return Math.max(2, Math.round((RUNS_PER_ROUTE * (WEIGHT[category] ?? 0)) / total));
}

/** After the file's tests, how many cases each route ran, by category. */
export function reportCasesRun(routes: readonly Route[]): void {
  const startedAt = Date.now();
  afterAll(() => {
    const lines = routes.map((r) => {
      const categories = categoriesRun.get(r.name) ?? new Map<string, number>();
      const detail = [...categories].map(([c, n]) => `${c} ${n}`).join(', ');
      return `  ${r.name.padEnd(62)} ${String(casesRun.get(r.name) ?? 0).padStart(4)}  (${detail})`;
    });
    const total = [...casesRun.values()].reduce((a, b) => a + b, 0);
    console.log(
      `bad input, seed ${SEED}: ${total} cases (shrinking runs included) in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n${lines.join('\n')}`,
    );
  });
}
