import { describe, it } from '@jest/globals';
import type { Category } from './bad-case.js';
import { assertProperty, reportCasesRun, runsFor } from './bad-input.check.js';
import type { BadInputFixture } from './bad-input.fixture.js';
import { casesFor, nulCases } from './request-cases.arbitraries.js';
import type { Route } from './route.js';

export const EVERY_ROUTE = 'bad input on every command route: 4xx in the error shape, the field named, nothing appended';

/** One property per route and category of bad input that applies to it, its runs shared among the categories by weight. */
export function describeBadInputRoutes(fixture: BadInputFixture, routes: readonly Route[]): void {
  reportCasesRun(routes);
  describe(EVERY_ROUTE, () => {
    for (const r of routes) {
      describe(r.name, () => {
        const cases = casesFor(r);
        const categories = Object.keys(cases) as Category[];
        // The route's U+0000 runs (in across-routes.e2e.ts) count towards its share.
        const shares: Category[] = nulCases(r) ? [...categories, 'U+0000'] : categories;
        for (const category of categories) {
          it(category, async () => {
            await assertProperty(
              fixture,
              cases[category]!.map((c) => [r, c] as const),
              runsFor(shares, category),
            );
          });
        }
      });
    }
  });
}
