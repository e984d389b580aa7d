import { fmt, percentile } from './support.js';

/** p50 / p99 of one measurement, and how many timed runs it is based on. */
export interface Sample {
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
}

export interface QueryRow {
  /** "10k", "1M", or for the list "1.11M (3 ws)". */
  readonly size: string;
  readonly jobs: number;
  /** Ours over HTTP (keep-alive round trip, auth included)… */
  readonly ours: Sample;
  /** …and inside the server (its `Server-Timing`), to compare like with like with the review's in-process queries. */
  readonly oursServer: Sample;
  readonly current: Sample;
  readonly after: Sample;
  /** p50 ratios: how many times slower the review's approaches are than ours. */
  readonly currentOverOurs: number;
  readonly afterOverOurs: number;
  /** The review's "after" over our server time: both without HTTP. */
  readonly afterOverOursServer: number;
  /** Further variants measured for information (the list's ROW_NUMBER form). */
  readonly extra?: Readonly<Record<string, Sample>>;
}

export interface QueryResult {
  readonly key: string;
  readonly title: string;
  readonly rows: QueryRow[];
  /** Our p50 at the largest size over our p50 at the smallest (the goal is ≤ 1.5). */
  readonly oursLargestOverSmallest: number;
}

export const sample = (sortedMs: readonly number[]): Sample => ({
  p50: percentile(sortedMs, 50),
  p99: percentile(sortedMs, 99),
  n: sortedMs.length,
});

export function queryRow(
  size: string,
  jobs: number,
  ours: Sample,
  oursServer: Sample,
  current: Sample,
  after: Sample,
  extra?: Record<string, Sample>,
): QueryRow {
  return {
    size,
    jobs,
    ours,
    oursServer,
    current,
    after,
    currentOverOurs: current.p50 / ours.p50,
    afterOverOurs: after.p50 / ours.p50,
    afterOverOursServer: after.p50 / oursServer.p50,
    ...(extra ? { extra } : {}),
  };
}

export function queryResult(key: string, title: string, rows: QueryRow[]): QueryResult {
  return { key, title, rows, oursLargestOverSmallest: rows.at(-1)!.ours.p50 / rows[0]!.ours.p50 };
}

/** 10000 → "10k", 1110000 → "1.11M": the job counts as people say them. */
export function sizeLabel(jobs: number): string {
  if (jobs >= 1_000_000) return `${+(jobs / 1_000_000).toFixed(2)}M`;
  if (jobs >= 1_000) return `${+(jobs / 1_000).toFixed(1)}k`;
  return String(jobs);
}

const ms = (s: Sample) => `${fmt(s.p50).padStart(9)} / ${fmt(s.p99).padEnd(9)}`;
const ratio = (r: number) => (r >= 100 ? `${Math.round(r)}×` : `${fmt(r, r >= 10 ? 1 : 2)}×`);

/** The console table of one query, as `npm run bench` prints it. */
export function formatTable(result: QueryResult): string[] {
  const first = result.rows[0]!;
  const last = result.rows.at(-1)!;
  const lines = [
    `## ${result.title}`,
    `  ${'size'.padEnd(16)} ${'ours p50 / p99 ms'.padEnd(21)} ${'server p50 / p99 ms'.padEnd(21)} ${'current p50 / p99 ms'.padEnd(21)} ${'after p50 / p99 ms'.padEnd(21)} ${'current/ours'.padStart(12)} ${'after/ours'.padStart(11)} ${'after/server'.padStart(12)}   runs (ours/current/after)`,
  ];
  for (const row of result.rows) {
    lines.push(
      `  ${row.size.padEnd(16)} ${ms(row.ours)} ${ms(row.oursServer)} ${ms(row.current)} ${ms(row.after)} ${ratio(row.currentOverOurs).padStart(12)} ${ratio(row.afterOverOurs).padStart(11)} ${ratio(row.afterOverOursServer).padStart(12)}   ${row.ours.n}/${row.current.n}/${row.after.n}`,
    );
    for (const [name, extra] of Object.entries(row.extra ?? {}))
      lines.push(
        `  ${''.padEnd(16)} ${name}: ${fmt(extra.p50)} / ${fmt(extra.p99)} ms (${ratio(extra.p50 / row.ours.p50)} ours, ${extra.n} runs)`,
      );
  }
  lines.push(`  ours ${last.size} / ours ${first.size} (p50): ${fmt(result.oursLargestOverSmallest)}× (goal ≤ 1.5×)`);
  return lines;
}

/** One markdown table over every query and size, for bench/results/<date>.md. */
export function formatMarkdown(results: readonly QueryResult[], notes: readonly string[]): string {
  const lines = [
    '| query | size | ours over HTTP p50 / p99 (ms) | ours in the server p50 / p99 (ms) | current p50 / p99 (ms) | after p50 / p99 (ms) | current / ours | after / ours | after / ours in the server |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const result of results) {
    for (const row of result.rows) {
      const pair = (s: Sample) => `${fmt(s.p50)} / ${fmt(s.p99)}`;
      lines.push(
        `| ${result.title} | ${row.size} | ${pair(row.ours)} | ${pair(row.oursServer)} | ${pair(row.current)} | ${pair(row.after)} | ${ratio(row.currentOverOurs)} | ${ratio(row.afterOverOurs)} | ${ratio(row.afterOverOursServer)} |`,
      );
    }
  }
  lines.push('', '| query | ours p50 at largest / smallest size (goal ≤ 1.5×) |', '|---|---:|');
  for (const result of results) lines.push(`| ${result.title} | ${fmt(result.oursLargestOverSmallest)}× |`);
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
