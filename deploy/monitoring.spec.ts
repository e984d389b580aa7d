import { beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { metricsRegistry } from '#adapters';
import { groupingLabelsIn, labelValuesQuery, selectorsIn } from './promql.js';

const ROOT = join(import.meta.dirname, '..');
const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/console-dashboard.json'), 'utf8'));
const alertRules = parse(readFileSync(join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
  groups: Array<{ name: string; rules: Array<Record<string, any>> }>;
};
/** Labels Prometheus adds to every series it scrapes. */
const TARGET_LABELS = ['job', 'instance'];

/** Production modules that register a metric: found by what they contain, so a new one is checked without being listed here. */
function metricModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : metricModules(path);
    if (!entry.name.endsWith('.ts') || /\.(spec|e2e)\.ts$/.test(entry.name)) return [];
    return /registers: \[metricsRegistry\]/.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

interface Exported {
  readonly labels: readonly string[];
}

/** The metric a series name belongs to (a histogram's `_bucket`, `_sum`, `_count`; a summary's `_sum`, `_count`), if exported. */
async function exported(series: string): Promise<Exported | null> {
  const labelsOf = (metric: object) => (metric as { labelNames?: string[] }).labelNames ?? [];
  const direct = metricsRegistry.getSingleMetric(series);
  if (direct) {
    const type = String((await direct.get()).type);
    return { labels: [...labelsOf(direct), ...(type === 'summary' ? ['quantile'] : [])] };
  }
  const [, base, suffix] = /^(.*)_(bucket|sum|count)$/.exec(series) ?? [];
  const metric = base ? metricsRegistry.getSingleMetric(base) : undefined;
  if (!metric) return null;
  const type = String((await metric.get()).type);
  if (type === 'histogram') return { labels: [...labelsOf(metric), ...(suffix === 'bucket' ? ['le'] : [])] };
  if (type === 'summary' && suffix !== 'bucket') return { labels: labelsOf(metric) };
  return null;
}

/** What is wrong with an expression: a series no module exports, a label its metric does not have. */
async function problemsIn(where: string, expr: string): Promise<string[]> {
  const problems: string[] = [];
  const known = new Set(TARGET_LABELS);
  const selectors = selectorsIn(expr);
  if (selectors.length === 0) problems.push(`${where}: selects no metric: ${expr}`);
  for (const { metric, labels } of selectors) {
    const found = await exported(metric);
    if (!found) {
      problems.push(`${where}: ${metric} is not exported`);
      continue;
    }
    found.labels.forEach((label) => known.add(label));
    for (const label of labels)
      if (![...found.labels, ...TARGET_LABELS].includes(label)) problems.push(`${where}: ${metric} has no label ${label}`);
  }
  for (const label of groupingLabelsIn(expr))
    if (!known.has(label)) problems.push(`${where}: no metric of the expression has the label ${label}`);
  return problems;
}

interface Panel {
  title?: string;
  type?: string;
  panels?: Panel[];
  targets?: Array<{ expr?: string; legendFormat?: string }>;
  gridPos?: { x: number; y: number; w: number; h: number };
  id?: number;
}

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
const dashboardExpressions = () =>
  allPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr ?? '' })),
  );
const alertExpressions = () =>
  alertRules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: String(rule.expr) })));

beforeAll(async () => {
  for (const path of [...metricModules(join(ROOT, 'apps')), ...metricModules(join(ROOT, 'libs'))]) await import(path);
});

describe('reading PromQL', () => {
  it('finds the series an expression selects, with their matchers, and the labels it groups by', () => {
    const expr = `histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{route!~"/health/.*", status=~"5.."}[$__rate_interval]))) > 1e-3
      and on (route) sum without (instance) (rate(no_such_metric_total[5m] offset 1h)) > bool 0.05 or vector(0) * up{job=~"$job"}`;
    expect(selectorsIn(expr)).toEqual([
      { metric: 'http_request_duration_seconds_bucket', labels: ['route', 'status'] },
      { metric: 'no_such_metric_total', labels: [] },
      { metric: 'up', labels: ['job'] },
    ]);
    expect(groupingLabelsIn(expr)).toEqual(['le', 'route', 'route', 'instance']);
    expect(labelValuesQuery('label_values(process_resident_memory_bytes, job)')).toEqual({
      metric: 'process_resident_memory_bytes',
      label: 'job',
    });
  });

  it('reports a series no module exports, a label its metric lacks and a grouping label no metric has', async () => {
    expect(
      await problemsIn(
        'x',
        'sum by (pool, colour) (rate(db_query_duration_seconds_bucket{statement="a", shade="b"}[5m])) + db_pool_connection + rate(db_query_duration_seconds_total[1m])',
      ),
    ).toEqual([
      'x: db_query_duration_seconds_bucket has no label shade',
      'x: db_pool_connection is not exported',
      'x: db_query_duration_seconds_total is not exported',
      'x: no metric of the expression has the label colour',
    ]);
  });
});

describe('deploy/grafana/console-dashboard.json', () => {
  it('references only metrics Console exports, with labels they have', async () => {
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThan(20);
    const problems = (await Promise.all(expressions.map(({ where, expr }) => problemsIn(where, expr)))).flat();
    for (const variable of dashboard.templating.list.filter((v: { type: string }) => v.type === 'query')) {
      const query = labelValuesQuery(typeof variable.query === 'string' ? variable.query : variable.query.query);
      const found = query && (await exported(query.metric));
      if (!query || !found || ![...found.labels, ...TARGET_LABELS].includes(query.label))
        problems.push(`variable ${variable.name}: ${JSON.stringify(variable.query)}`);
    }
    expect(problems).toEqual([]);
  });

  it('has a panel for each subject of the issue: requests, 5xx, p99, statements, pools, lag, events/s, dead letters, GitHub, queue age, memory', () => {
    const all = dashboardExpressions()
      .map(({ expr }) => expr)
      .join('\n');
    for (const needle of [
      'http_request_duration_seconds_count',
      'status=~"5.."',
      'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket',
      'db_query_duration_seconds_bucket',
      'db_pool_connections',
      'projector_lag_events',
      'projector_lag_seconds',
      'rate(projector_events_total',
      'projector_dead_letters',
      'github_rate_limit_remaining',
      'reactor_ingestion_queue_age_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ])
      expect({ needle, found: all.includes(needle) }).toEqual({ needle, found: true });
  });

  it('lays its panels out on the 24-column grid with unique ids', () => {
    const panels = allPanels(dashboard.panels);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels)
      expect({ title: panel.title, fits: panel.gridPos!.x + panel.gridPos!.w <= 24 }).toEqual({ title: panel.title, fits: true });
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  const rules = alertRules.groups.flatMap((group) => group.rules);

  it('references only metrics Console exports, with labels they have', async () => {
    const problems = (await Promise.all(alertExpressions().map(({ where, expr }) => problemsIn(where, expr)))).flat();
    expect(problems).toEqual([]);
  });

  it('holds the six alerts of the issue, each with a threshold, a for duration, a severity and runbook annotations', () => {
    expect(rules.map((rule) => rule.alert).sort()).toEqual([
      'ConsoleDeadLetters',
      'ConsoleGitHubRateLimitLow',
      'ConsoleHigh5xxRate',
      'ConsoleIngestionQueueStale',
      'ConsoleP99LatencyHigh',
      'ConsoleProjectionLagging',
    ]);
    for (const rule of rules) {
      expect({
        alert: rule.alert,
        threshold: /[<>]=?\s*[\d.]+/.test(rule.expr),
        for: /^\d+[smh]$/.test(rule.for),
        severity: ['warning', 'critical'].includes(rule.labels?.severity),
        annotations: Object.keys(rule.annotations ?? {}).sort(),
      }).toEqual({ alert: rule.alert, threshold: true, for: true, severity: true, annotations: ['description', 'runbook', 'summary'] });
    }
  });
});
