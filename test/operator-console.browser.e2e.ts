import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { handleCommand } from '#event-store';
import { jobDecider, jobStreamId, type JobCommand } from '#domain';
import { CONSOLE_CSP } from '../apps/api/src/console/console-assets.js';
import { ConsoleSignIn } from '../apps/api/src/operator/console-sign-in.js';
import { startTestApp, type TestApp } from './support/app.js';
import { waitForReadModel } from './support/wait-for-job.js';

/**
 * The operator console (`/console`) in a real browser: Debian's `chromium` (`.ci/run` installs it),
 * driven by puppeteer-core over the DevTools protocol, against the booted app with seeded jobs.
 * Every page load also asserts the browser logged no error: a CSP violation, a failed module
 * import or an uncaught exception in the console's code fails the test.
 */
// What the functions run in the page (page.evaluate, $eval) use of the browser: the repo's tsconfig has no DOM lib.
declare const sessionStorage: { getItem(key: string): string | null };
declare const location: { hash: string };
declare const document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
interface HTMLElement {
  click(): void;
  readonly dataset: Record<string, string | undefined>;
}
interface HTMLTextAreaElement {
  value: string;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OPERATOR = 'user_local';

describe('the operator console in a browser', () => {
  let app: TestApp;
  let browser: Browser;
  let operatorToken: string;
  let organizationId: string;
  let workspaceId: string;
  const browserErrors: string[] = [];
  const started = performance.now();
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the console's browser tests need it (apt-get install chromium, as .ci/run does, or set CHROMIUM_PATH)`,
      );
    }
    [app, browser] = await Promise.all([
      startTestApp(),
      puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
      }),
    ]);
    operatorToken = await app.token({ userId: OPERATOR, org: 'acme', role: 'admin' });
    const created = await app.request('POST', '/v1/orgs', { token: operatorToken, body: { slug: 'acme', name: 'Acme' } });
    expect({ status: created.status, body: created.body }).toMatchObject({ status: 201 });
    organizationId = created.body.organizationId;
    const workspace = await app.request('POST', '/v1/orgs/acme/workspaces', { token: operatorToken, body: { name: 'docs' } });
    expect({ status: workspace.status, body: workspace.body }).toMatchObject({ status: 201 });
    workspaceId = workspace.body.workspaceId;
    // Three jobs in the last day, as test/analytics.e2e.ts: completed in 60 s (1 h ago), failed (2 h ago), queued (1 min ago).
    const histories: Array<[string, JobCommand[]]> = [
      [
        'a',
        [
          queue('a', iso(3_600_000)),
          { type: 'StartJob', data: { at: iso(3_590_000) } },
          { type: 'CompleteJob', data: { at: iso(3_530_000), output: {} } },
        ],
      ],
      [
        'b',
        [
          queue('b', iso(7_200_000)),
          { type: 'StartJob', data: { at: iso(7_100_000) } },
          { type: 'FailJob', data: { at: iso(7_000_000), error: { message: 'boom', code: 'clone_failed' } } },
        ],
      ],
      ['c', [queue('c', iso(60_000))]],
    ];
    let position = '';
    for (const [id, commands] of histories) {
      const result = await handleCommand(app.runtime.store, jobStreamId(`console-job-${id}`), jobDecider, commands, {
        commandId: `console-seed-${id}`,
      });
      position = result.position!;
    }
    await app.runtime.checkpoints.waitForAll(['jobs', 'job_stats', 'ingestion_queue'], position, 60_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    process.stdout.write(`operator console browser tests: ${Math.round(performance.now() - started)} ms in all\n`);
  });

  const queue = (id: string, at: string): JobCommand => ({
    type: 'QueueJob',
    data: {
      jobId: `console-job-${id}`,
      organizationId,
      workspaceId,
      repositoryId: 'repo-1',
      name: `Job ${id}`,
      trigger: 'manual',
      triggeredBy: null,
      input: {},
      at,
    },
  });

  /** A fresh tab (its own sessionStorage) whose errors, CSP violations included, are collected. */
  async function openPage(path: string): Promise<Page> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => browserErrors.push(`pageerror: ${String(error)}`));
    page.on('console', (message) => {
      // An API answer of 4xx is the page's to show (and the tests assert what it shows); a missing asset is an error.
      const url = message.location()?.url ?? '';
      if (message.type() === 'error' && !url.startsWith(`${app.baseUrl}/v1/`)) browserErrors.push(`console: ${message.text()} ${url}`);
    });
    page.on('requestfailed', (request) => browserErrors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
    await page.goto(`${app.baseUrl}${path}`, { waitUntil: 'domcontentloaded' });
    return page;
  }

  async function signInWithToken(page: Page, token: string): Promise<void> {
    await page.waitForSelector('#token');
    // Pasted, as a user would: typing a 600-character token key by key costs seconds.
    await page.$eval('#token', (field, value) => ((field as HTMLTextAreaElement).value = value), token);
    await page.click('#sign-in-submit');
    await page.waitForSelector('#nav:not([hidden])');
  }

  it('serves the console, its chart library and `/` from the package, with content types, revalidation and its CSP', async () => {
    const redirect = await fetch(`${app.baseUrl}/console`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([308, '/console/']);
    const index = await fetch(`${app.baseUrl}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<script type="module" src="/console/app.js"></script>');
    const chartLibrary = await fetch(`${app.baseUrl}/console/vendor/uPlot.esm.js`);
    expect(chartLibrary.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await chartLibrary.text()).toContain('export { uPlot as default }');
    const etag = chartLibrary.headers.get('etag')!;
    expect((await fetch(`${app.baseUrl}/console/vendor/uPlot.esm.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await app.request('GET', '/console/nothing.js')).status).toBe(404);
    expect((await app.request('GET', '/console/../package.json')).status).toBe(404);

    const root = await app.request('GET', '/');
    expect(root.body).toEqual({ name: 'Console API', console: '/console/', docs: '/docs', openapi: '/docs/openapi.json' });
    const rootPage = await fetch(`${app.baseUrl}/`, { headers: { accept: 'text/html' } });
    expect(await rootPage.text()).toContain('<a href="/console/">');
  });

  it('signs in with a pasted token, keeps it for the tab only, and signs out', async () => {
    const page = await openPage('/console/');
    await signInWithToken(page, operatorToken);
    expect(await page.evaluate(() => sessionStorage.getItem('console.token'))).toBe(operatorToken);
    await page.click('#sign-out');
    await page.waitForSelector('#token');
    expect(await page.evaluate(() => sessionStorage.getItem('console.token'))).toBeNull();
    await page.browserContext().close();
    expect(browserErrors).toEqual([]);
  });

  it("signs in with the banner's one-time link, which works once, and lists the projections live", async () => {
    const code = app.nest.get(ConsoleSignIn).issue({ userId: OPERATOR, organizationSlug: 'acme', role: 'admin' });
    const page = await openPage(`/console/#code=${code}`);
    await page.waitForSelector('#nav:not([hidden])');
    // The code is taken out of the address at once; the session token is the tab's.
    expect(await page.evaluate(() => location.hash)).toBe('#/projections');
    expect(await page.evaluate(() => sessionStorage.getItem('console.expiresAt'))).toMatch(/^\d{4}-\d\d-\d\dT/);
    await page.waitForSelector('[data-page="projections"] tr[data-projection="jobs"]');
    const rows = await page.$$eval('tr[data-projection]', (trs) =>
      trs.map((tr) => ({
        name: (tr as HTMLElement).dataset.projection,
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
      })),
    );
    const { body } = await app.request('GET', '/v1/operator/projections', { token: operatorToken });
    expect(rows.map((r) => r.name)).toEqual(body.projections.map((p: { name: string }) => p.name));
    const jobs = rows.find((r) => r.name === 'jobs')!;
    expect(jobs.cells[1]).toBe(body.projections.find((p: { name: string }) => p.name === 'jobs').status);
    expect(await page.$$eval('button[data-action="rebuild"]', (buttons) => buttons.length)).toBe(rows.length);

    // A rebuild (asked twice: the button confirms), run by the projector daemon as a blue/green replay:
    // the list shows generation 2 active once it switched.
    await page.click('tr[data-projection="api_keys"] button[data-action="rebuild"]');
    await page.waitForSelector('tr[data-projection="api_keys"] button.danger[data-action="rebuild"]');
    await page.click('tr[data-projection="api_keys"] button[data-action="rebuild"]');
    const started = await page.waitForSelector('.flash.ok:not([hidden])');
    expect(await started!.evaluate((el) => el.textContent)).toMatch(/^Rebuild of api_keys started/);
    await page.waitForFunction(
      () => {
        const cells = document.querySelectorAll('tr[data-projection="api_keys"] td');
        return cells[2]?.textContent === '2' && cells[1]?.textContent === 'running';
      },
      { timeout: 60_000 },
    );
    await page.browserContext().close();

    const again = await openPage(`/console/#code=${code}`);
    const refused = await again.waitForSelector('#sign-in-error:not([hidden])');
    expect(await refused!.evaluate((el) => el.textContent)).toContain('This sign-in link is not valid any more');
    await again.browserContext().close();
    expect(browserErrors).toEqual([]);
  });

  it('tells a signed-in user who is no operator so', async () => {
    const member = await openPage('/console/');
    await signInWithToken(member, await app.token({ userId: 'user_member', org: 'acme', role: 'admin' }));
    const alert = await member.waitForSelector('[role="alert"][data-code="operator_required"]:not([hidden])');
    expect(await alert!.evaluate((el) => el.textContent)).toContain('Your user is not an operator');
    await member.browserContext().close();
    expect(browserErrors).toEqual([]);
  });

  it('retries a dead letter: the event a projection could not apply is applied once the cause is gone', async () => {
    // A real dead letter: the jobs projection's table refuses one job (a trigger), the runner dead-letters
    // the event and goes on; the trigger is then dropped, so the retry applies it.
    const [{ generation }] = await app.runtime.dataSource.query(
      `SELECT active_generation AS generation FROM projection_generations WHERE name = 'jobs'`,
    );
    const table = `jobs_g${generation}`; // physicalTableName
    await app.runtime.dataSource.query(`
      CREATE FUNCTION console_test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.name = 'Poison job' THEN RAISE EXCEPTION 'the test refuses job %', NEW.id; END IF;
        RETURN NEW;
      END $$`);
    await app.runtime.dataSource.query(
      `CREATE TRIGGER console_test_refuse_poison BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION console_test_refuse_poison()`,
    );
    const poisonWorkspace = 'ws-poison'; // not the dashboard's workspace: its figures stay those of the seed
    await handleCommand(
      app.runtime.store,
      jobStreamId('console-job-poison'),
      jobDecider,
      [{ type: 'QueueJob', data: { ...queue('poison', iso(1000)).data, workspaceId: poisonWorkspace, name: 'Poison job' } } as JobCommand],
      { commandId: 'console-seed-poison' },
    );
    await waitForReadModel(
      app,
      'jobs',
      async () => {
        const rows = await app.runtime.dataSource.query(`SELECT id FROM projection_dead_letters WHERE name = 'jobs' AND stream_id = $1`, [
          jobStreamId('console-job-poison'),
        ]);
        return rows[0];
      },
      'the poison job dead-lettered',
    );
    await app.runtime.dataSource.query(`DROP TRIGGER console_test_refuse_poison ON ${table}`);
    await app.runtime.dataSource.query(`DROP FUNCTION console_test_refuse_poison()`);

    const page = await openPage('/console/');
    await signInWithToken(page, operatorToken);
    await page.evaluate(() => (location.hash = '#/dead-letters?projection=jobs'));
    const card = await page.waitForSelector('li.dead-letter');
    expect(await card!.$eval('.failure', (el) => el.textContent)).toContain('the test refuses job console-job-poison');
    await card!.$eval('summary', (el) => (el as HTMLElement).click());
    expect(await card!.$eval('.json pre', (el) => JSON.parse(el.textContent!))).toMatchObject({
      jobId: 'console-job-poison',
      name: 'Poison job',
    });
    await card!.$eval('button[data-action="retry"]', (el) => (el as HTMLElement).click());
    const flash = await page.waitForSelector('.flash.ok:not([hidden])');
    expect(await flash!.evaluate((el) => el.textContent)).toMatch(/^Retried JobQueued at \S+: applied/);
    await page.waitForSelector('[data-page="dead-letters"] .empty');

    const [job] = await app.runtime.dataSource.query(`SELECT name FROM jobs WHERE id = 'console-job-poison'`);
    expect(job).toEqual({ name: 'Poison job' });
    await page.browserContext().close();
    expect(browserErrors).toEqual([]);
  });

  it("browses the event log by type and one stream's events, and shows ingestion failures with their codes", async () => {
    const page = await openPage('/console/');
    await signInWithToken(page, operatorToken);
    await page.evaluate(() => (location.hash = '#/events?type=JobFailed'));
    await page.waitForSelector('li.event[data-type="JobFailed"]');
    const failed = await page.$$eval('li.event', (items) => items.map((li) => (li as HTMLElement).dataset.type));
    expect(failed).toEqual(['JobFailed']);

    // The failed job's stream, from its link, in revision order; its first event opens to its data.
    await page.$eval('li.event a.stream', (a) => (a as HTMLElement).click());
    await page.waitForFunction(() => document.querySelectorAll('li.event').length === 3);
    expect(await page.$$eval('li.event', (items) => items.map((li) => (li as HTMLElement).dataset.type))).toEqual([
      'JobQueued',
      'JobStarted',
      'JobFailed',
    ]);
    await page.$eval('li.event summary', (summary) => (summary as HTMLElement).click());
    expect(await page.$eval('li.event .json pre', (pre) => JSON.parse(pre.textContent!))).toMatchObject({
      jobId: 'console-job-b',
      name: 'Job b',
    });

    await page.evaluate(() => (location.hash = '#/ingestion'));
    const failure = await page.waitForSelector('#ing-failures tbody tr');
    expect(await failure!.$$eval('td', (cells) => cells.map((c) => c.textContent))).toEqual([
      'Job b',
      workspaceId,
      'clone_failed',
      'boom',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
    ]);
    await page.browserContext().close();
    expect(browserErrors).toEqual([]);
  });

  it("draws the workspace's hourly job series from the seeded jobs, with its success rate, percentiles and recent jobs", async () => {
    const page = await openPage('/console/');
    await signInWithToken(page, operatorToken);
    await page.evaluate(() => (location.hash = '#/dashboard'));
    // Picked through the pickers, as a user would: the organization, then the workspace.
    await page.waitForSelector('#dash-org option[value="acme"]');
    await page.select('#dash-org', 'acme');
    await page.waitForSelector('#dash-ws option[value="docs"]');
    await page.select('#dash-ws', 'docs');
    await page.waitForSelector('#dash-chart[data-drawn]');

    const chart = await page.$eval('#dash-chart', (box) => {
      const canvas = box.querySelector('canvas')!;
      const context = canvas.getContext('2d')!;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let blue = 0; // pixels of the jobs series' stroke or fill (#2563eb)
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i + 2]! > 180 && data[i]! < 120 && data[i + 1]! < 160) blue++;
      return {
        drawn: box.dataset.drawn,
        jobs: box.dataset.jobs,
        width: canvas.width,
        height: canvas.height,
        blue,
        legend: box.querySelector('.u-legend')?.textContent,
      };
    });
    expect(chart).toMatchObject({ drawn: '24', jobs: '3' });
    expect(chart.width).toBeGreaterThan(300);
    expect(chart.height).toBeGreaterThan(200);
    expect(chart.blue).toBeGreaterThan(50); // three bars drawn, not an empty plot
    expect(chart.legend).toContain('jobs');

    expect(await page.$eval('[data-kpi="success-rate"] .value', (el) => el.textContent)).toBe('50 %');
    expect(await page.$eval('[data-kpi="total"] .value', (el) => el.textContent)).toBe('3');
    // One completed job of 60 s in each range; the percentiles are sketched (within 1 %).
    const p50s = await page.$$eval('#dash-percentiles tr[data-range] td:nth-child(2)', (cells) => cells.map((c) => c.textContent));
    expect(p50s).toHaveLength(3);
    for (const p50 of p50s) expect(p50).toMatch(/^(1 min [01] s|59\.\d s)$/);
    expect(await page.$$eval('#dash-recent tr[data-job]', (rows) => rows.map((r) => (r as HTMLElement).dataset.job))).toEqual([
      'console-job-c',
      'console-job-a',
      'console-job-b',
    ]);
    await page.browserContext().close();
    expect(browserErrors).toEqual([]);
  });
});
