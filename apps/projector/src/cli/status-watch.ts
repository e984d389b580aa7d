import { setTimeout as delay } from 'node:timers/promises';
import { InvalidArgumentError } from 'commander';
import type { ProjectionStatus } from '#runtime';
import { isConnectionLost, rootMessage } from './connection-retry.js';

export interface StatusSample {
  /** Milliseconds (Date.now()) when the sample was read. */
  readonly at: number;
  readonly statuses: readonly ProjectionStatus[];
}

export interface WatchRow {
  readonly name: string;
  readonly generation: number;
  readonly position: string;
  readonly lagEvents: number | null;
  readonly lagSeconds: number | null;
  /** Events applied per second since the previous sample; null on the first sample and across a generation switch. */
  readonly eventsPerSecond: number | null;
  readonly deadLetters: number;
}

/**
 * Rates come from two samples of the same generation: a replay's switch resets `eventsProcessed`,
 * and a difference across it would be meaningless (negative, or the whole rebuild at once).
 */
export function watchRows(previous: StatusSample | null, current: StatusSample): WatchRow[] {
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  return current.statuses.map((status) => {
    const before = previous?.statuses.find((p) => p.name === status.name && p.generation === status.generation);
    const eventsPerSecond = before && seconds > 0 ? Math.max(0, status.eventsProcessed - before.eventsProcessed) / seconds : null;
    return {
      name: status.name,
      generation: status.generation,
      position: status.position,
      lagEvents: status.lagEvents,
      lagSeconds: status.lagSeconds,
      eventsPerSecond,
      deadLetters: status.deadLetters,
    };
  });
}

const rate = (value: number | null) => (value === null ? '-' : value < 10 ? value.toFixed(1) : String(Math.round(value)));
const lagSecondsText = (value: number | null) => (value === null ? 'n/a' : value.toFixed(1));
const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

const COLUMNS: readonly { title: string; align: 'left' | 'right'; cell: (row: WatchRow) => string }[] = [
  { title: 'projection', align: 'left', cell: (r) => r.name },
  { title: 'gen', align: 'right', cell: (r) => String(r.generation) },
  { title: 'lag (events)', align: 'right', cell: (r) => (r.lagEvents === null ? 'n/a' : String(r.lagEvents)) },
  { title: 'lag (s)', align: 'right', cell: (r) => lagSecondsText(r.lagSeconds) },
  { title: 'events/s', align: 'right', cell: (r) => rate(r.eventsPerSecond) },
  { title: 'dead letters', align: 'right', cell: (r) => String(r.deadLetters) },
  { title: 'position', align: 'left', cell: (r) => r.position },
];

export function renderTable(rows: readonly WatchRow[]): string[] {
  const cells = rows.map((row) => COLUMNS.map((column) => column.cell(row)));
  const widths = COLUMNS.map((column, i) => Math.max(column.title.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (COLUMNS[i]!.align === 'right' ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map((column) => column.title)), ...cells.map(line)];
}

function totals(rows: readonly WatchRow[]): string {
  const rates = rows.map((r) => r.eventsPerSecond).filter((r): r is number => r !== null);
  const applied = rates.length > 0 ? rates.reduce((a, b) => a + b, 0) : null;
  const dead = rows.reduce((sum, r) => sum + r.deadLetters, 0);
  const behind = rows.filter((r) => (r.lagEvents ?? 0) > 0).length;
  return `applied ${rate(applied)} events/s in all; ${behind} of ${rows.length} projections behind; ${dead} dead letters${dead > 0 ? ' (npm run console -- dead-letters)' : ''}`;
}

export interface FrameOptions {
  readonly at: number;
  readonly intervalSeconds: number;
  /** Shown above the table while the database cannot be reached; the table is the last one read. */
  readonly problem?: string;
}

/** The redrawn view on a terminal. */
export function renderFrame(rows: readonly WatchRow[], options: FrameOptions): string[] {
  return [
    `Console status at ${clock(options.at)} UTC, every ${options.intervalSeconds} s (Ctrl-C to quit)`,
    ...(options.problem ? [`! ${options.problem}`] : []),
    '',
    ...(rows.length > 0 ? renderTable(rows) : ['no projections: run `npm run console -- migrate`, or start Console (`npm start`)']),
    '',
    totals(rows),
  ];
}

/** One line a sample, for a pipe or a log file: `time name lag=… rate=… dead=…; name …`. */
export function renderLine(rows: readonly WatchRow[], at: number): string {
  const parts = rows.map(
    (r) =>
      `${r.name} gen=${r.generation} lag=${r.lagEvents ?? 'n/a'}ev/${lagSecondsText(r.lagSeconds)}s rate=${rate(r.eventsPerSecond)}/s dead=${r.deadLetters}`,
  );
  return `${new Date(at).toISOString()} ${parts.join('; ')}`;
}

export interface WatchOutput {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface WatchOptions {
  read(): Promise<readonly ProjectionStatus[]>;
  readonly intervalSeconds: number;
  readonly out: WatchOutput;
  /** Aborted by Ctrl-C / SIGTERM: the loop ends after the sample in flight, leaving the last frame on screen. */
  readonly signal: AbortSignal;
  /** NDJSON, one object a sample, instead of the view. */
  readonly json?: boolean;
  readonly now?: () => number;
  /** Waits between samples; resolves early when the signal is aborted. */
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const up = (lines: number) => (lines > 0 ? `\x1b[${lines}A\x1b[0J` : '');

const abortableDelay = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => undefined);

/**
 * Samples `read` every interval until the signal is aborted. On a terminal the view is redrawn in
 * place (cursor up over the previous frame, never a full clear, so the scrollback stays); anything
 * else gets one line a sample. A lost connection (Console restarting) is shown and retried, not fatal.
 */
export async function watchStatus(options: WatchOptions): Promise<void> {
  const { out, signal } = options;
  const now = options.now ?? Date.now;
  const wait = options.wait ?? abortableDelay;
  const redraw = Boolean(out.isTTY) && !options.json;
  const width = out.columns && out.columns > 20 ? out.columns : Number.POSITIVE_INFINITY;
  let previous: StatusSample | null = null;
  let lastRows: WatchRow[] = [];
  let drawn = 0;
  if (redraw) out.write(HIDE_CURSOR);
  try {
    while (!signal.aborted) {
      let problem: string | undefined;
      try {
        const statuses = await options.read();
        const sample = { at: now(), statuses };
        lastRows = watchRows(previous, sample);
        previous = sample;
      } catch (error) {
        if (signal.aborted) break;
        if (!isConnectionLost(error)) throw error;
        problem = `database unreachable (${rootMessage(error)}); retrying. Is Console running? Start it with \`npm start\``;
        previous = null; // a rate across an outage would average over it
      }
      const at = now();
      if (options.json) {
        out.write(
          `${JSON.stringify(problem ? { at: new Date(at).toISOString(), problem } : { at: new Date(at).toISOString(), projections: lastRows })}\n`,
        );
      } else if (redraw) {
        const lines = renderFrame(lastRows, { at, intervalSeconds: options.intervalSeconds, problem }).map((l) =>
          l.length > width ? `${l.slice(0, width - 1)}…` : l,
        );
        out.write(`${up(drawn)}${lines.join('\n')}\n`);
        drawn = lines.length;
      } else {
        out.write(problem ? `${new Date(at).toISOString()} ! ${problem}\n` : `${renderLine(lastRows, at)}\n`);
      }
      await wait(options.intervalSeconds * 1000, signal);
    }
  } finally {
    if (redraw) out.write(SHOW_CURSOR);
  }
}

/** Aborted on the first SIGINT or SIGTERM; `dispose` removes the handlers. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}

export function parseIntervalSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.1) throw new InvalidArgumentError('--interval must be a number of seconds, at least 0.1');
  return seconds;
}
