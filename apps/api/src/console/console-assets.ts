import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative, sep } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The console's own policy, stricter than helmet's default: no inline script or style, requests
 * to this origin only, and no `upgrade-insecure-requests`, which would send the module scripts of
 * a console opened over plain http (local mode, on a host other than localhost) to https and break it.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Next to this file in the sources (Jest, `tsx`) and in dist/ (`npm run build` copies the folder),
 * so the same lookup works from a checkout, the image and a read-only install.
 */
const ASSETS_DIR = join(import.meta.dirname, 'assets');

function asset(body: Buffer, path: string): ConsoleAsset {
  const type = TYPES[extname(path)];
  if (!type) throw new Error(`console asset with no known content type: ${path}`);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** Every file the console serves, by URL path, read once: a few dozen kilobytes. */
export function loadConsoleAssets(dir = ASSETS_DIR): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else assets.set(`/console/${relative(dir, path).split(sep).join('/')}`, asset(readFileSync(path), path));
    }
  };
  walk(dir);
  // The chart library from the installed package (a production dependency), never from a CDN.
  const require = createRequire(import.meta.url);
  for (const [url, file] of [
    ['/console/vendor/uPlot.esm.js', 'uplot/dist/uPlot.esm.js'],
    ['/console/vendor/uPlot.min.css', 'uplot/dist/uPlot.min.css'],
  ] as const) {
    const path = require.resolve(file);
    assets.set(url, asset(readFileSync(path), path));
  }
  const index = assets.get('/console/index.html');
  if (!index) throw new Error(`console assets missing: no index.html in ${dir}`);
  assets.set('/console/', index);
  return assets;
}

const ROOT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Console API</title></head>
<body><h1>Console API</h1><ul>
<li><a href="/console/">Operator console</a></li>
<li><a href="/docs">API documentation</a> (<a href="/docs/openapi.json">OpenAPI</a>)</li>
</ul></body></html>
`;

/**
 * The operator console's static files under `/console/` and a pointer at `/`: plain Express routes
 * ahead of Nest's, like the docs, so they need no token (the page signs in with the API's own).
 * Everything is revalidated (`no-cache` with a strong ETag): a new build is seen on the next load,
 * and an unchanged file costs a 304.
 */
export function installConsole(app: INestApplication, assets = loadConsoleAssets()): void {
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    const path = request.path;
    if (path === '/') {
      response.setHeader('cache-control', 'no-cache');
      response.vary('accept');
      if (request.accepts(['json', 'html']) === 'html') {
        response.type('html').send(ROOT_HTML);
      } else {
        response.json({ name: 'Console API', console: '/console/', docs: '/docs', openapi: '/docs/openapi.json' });
      }
      return;
    }
    if (path === '/console') return response.redirect(308, '/console/');
    const found = path.startsWith('/console/') ? assets.get(path) : undefined;
    if (!found) return next();
    response.setHeader('content-type', found.type);
    response.setHeader('cache-control', 'no-cache');
    response.setHeader('etag', found.etag);
    response.setHeader('content-security-policy', CONSOLE_CSP);
    if (request.headers['if-none-match'] === found.etag) {
      response.status(304).end();
      return;
    }
    response.setHeader('content-length', String(found.body.length));
    if (request.method === 'HEAD') response.end();
    else response.end(found.body);
  });
}
