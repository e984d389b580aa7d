/**
 * Just enough PromQL reading for deploy/monitoring.spec.ts: the metric names an expression selects,
 * the labels its selectors match on, and the labels its `by`/`without`/`on`/`ignoring`/`group_*`
 * lists name. Not a parser: it relies on the expressions being well-formed, which Prometheus and
 * Grafana check when they load them.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);
const LABEL_LIST = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/gi;
/** A number or a duration (0.99, 1e-9, 5m, 30s), read first so its letters are not taken for a name. */
const TOKEN = /(\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|[smhdwy])?)|([a-zA-Z_:][a-zA-Z0-9_:]*)/g;

/** Grafana's variables ($job, ${datasource}, $__rate_interval) stand for values, never for names. */
const withoutVariables = (expr: string) => expr.replace(/\$\{?\w+\}?/g, '0');
const withoutStrings = (expr: string) => expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');

export interface Selector {
  readonly metric: string;
  readonly labels: readonly string[];
}

/** Every `metric{label=…}` (or bare `metric`) the expression selects. */
export function selectorsIn(expr: string): Selector[] {
  const text = withoutStrings(withoutVariables(expr));
  // Label matchers become `{a,b}` markers kept next to their metric; ranges, subqueries and label lists go.
  const matchers: string[][] = [];
  const marked = text
    .replace(/\{([^}]*)\}/g, (_, body: string) => {
      matchers.push([...body.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!));
      return `\u0000${matchers.length - 1}\u0000`;
    })
    .replace(/\[[^\]]*\]/g, '')
    .replace(LABEL_LIST, '');
  const selectors: Selector[] = [];
  for (const match of marked.matchAll(TOKEN)) {
    const name = match[2];
    if (!name || KEYWORDS.has(name.toLowerCase())) continue;
    const after = marked.slice(match.index + match[0].length);
    if (/^\s*\(/.test(after)) continue; // a function or an aggregation
    const matcher = /^\s*\u0000(\d+)\u0000/.exec(after);
    selectors.push({ metric: name, labels: matcher ? matchers[Number(matcher[1])]! : [] });
  }
  return selectors;
}

/** The labels the expression's `by (…)`, `without (…)`, `on (…)`, `ignoring (…)` and `group_*(…)` lists name. */
export function groupingLabelsIn(expr: string): string[] {
  return [...withoutStrings(withoutVariables(expr)).matchAll(LABEL_LIST)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
  );
}

/** `label_values(metric, label)` (a Grafana variable's query): the metric and the label. */
export function labelValuesQuery(query: string): { metric: string; label: string } | null {
  const match = /^\s*label_values\(\s*([a-zA-Z_:][\w:]*)\s*(?:\{[^}]*\})?\s*,\s*([a-zA-Z_]\w*)\s*\)\s*$/.exec(query);
  return match ? { metric: match[1]!, label: match[2]! } : null;
}
