import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyRoutes } from './api-keys.routes.js';
import type { BadInputFixture } from './bad-input.fixture.js';
import { integrationRoutes } from './integrations.routes.js';
import { operatorRoutes } from './operator.routes.js';
import { organizationRoutes } from './organizations.routes.js';
import { repositoryRoutes } from './repositories.routes.js';
import type { Route } from './route.js';
import { storeAndSearchRoutes } from './stores-search.routes.js';
import { workspaceIntegrationRoutes } from './workspace-integrations.routes.js';
import { workspaceAndJobRoutes } from './workspaces-jobs.routes.js';

/** Every command route, in the order the cross-route properties draw from (the seed's cases depend on it). */
export function allRoutes(fixture: BadInputFixture): Route[] {
  return [
    ...organizationRoutes(fixture),
    ...workspaceAndJobRoutes(fixture),
    ...workspaceIntegrationRoutes(fixture),
    ...repositoryRoutes(fixture),
    ...apiKeyRoutes(fixture),
    ...integrationRoutes(fixture),
    ...storeAndSearchRoutes(fixture),
    ...operatorRoutes(fixture),
  ];
}

/** `METHOD /path` of every @Post/@Put/@Patch/@Delete under apps/api/src, read from the controllers' source. */
export function commandRoutesInControllers(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.controller.ts')) files.push(full);
    }
  };
  walk(join(process.cwd(), 'apps/api/src'));
  const routes: string[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const prefix = /@Controller\((?:'([^']*)')?\)/.exec(source)?.[1] ?? '';
    for (const match of source.matchAll(/@(Post|Put|Patch|Delete)\((?:'([^']*)')?\)/g)) {
      routes.push(`${match[1]!.toUpperCase()} /${[prefix, match[2] ?? ''].filter(Boolean).join('/')}`);
    }
  }
  return routes;
}
