import { describe, expect, it } from '@jest/globals';
import type { ProjectionStatus } from '#runtime';
import { renderFrame, renderLine, renderTable, watchRows, watchStatus, type StatusSample } from './status-watch.js';

const status = (name: string, eventsProcessed: number, extra: Partial<ProjectionStatus> = {}): ProjectionStatus => ({
  name,
  generation: 1,
  position: '100/1',
  eventsProcessed,
  lagEvents: 0,
  lagSeconds: 0,
  deadLetters: 0,
  updatedAt: '2026-12-04T21:00:00.000Z',
  ...extra,
});

const sample = (at: number, ...statuses: ProjectionStatus[]): StatusSample => ({ at, statuses });

describe('watchRows', () => {
  it('has no rate on the first sample', () => {
    expect(watchRows(null, sample(0, status('jobs', 10)))[0]!.eventsPerSecond).toBeNull();
  });

  it('divides the events applied between two samples by the seconds between them', () => {
    const rows = watchRows(
      sample(1_000, status('jobs', 100), status('stores', 5)),
      sample(3_000, status('jobs', 300), status('stores', 5)),
    );
    expect(rows.map((r) => [r.name, r.eventsPerSecond])).toEqual([
      ['jobs', 100],
      ['stores', 0],
    ]);
  });

  it('gives no rate across a generation switch, whose counter starts again', () => {
    const rows = watchRows(sample(0, status('jobs', 5_000)), sample(1_000, status('jobs', 20, { generation: 2 })));
    expect(rows[0]!.eventsPerSecond).toBeNull();
  });

  it('gives no rate to a projection the previous sample did not have', () => {
    expect(watchRows(sample(0), sample(1_000, status('jobs', 20)))[0]!.eventsPerSecond).toBeNull();
  });
});

describe('renderTable', () => {
  it('aligns numbers right and names left, under their titles', () => {
    const lines = renderTable(
      watchRows(
        sample(0, status('jobs', 0), status('github_installations', 0)),
        sample(1_000, status('jobs', 1234, { lagEvents: 12_345, lagSeconds: 3.25, deadLetters: 2 }), status('github_installations', 3)),
      ),
    );
    expect(lines).toEqual([
      'projection            gen  lag (events)  lag (s)  events/s  dead letters  position',
      'jobs                    1         12345      3.3      1234             2  100/1',
      'github_installations    1             0      0.0       3.0             0  100/1',
    ]);
  });

  it('shows n/a for a lag the store cannot count', () => {
    const [, row] = renderTable(watchRows(null, sample(0, status('jobs', 1, { lagEvents: null, lagSeconds: null }))));
    expect(row).toBe('jobs          1           n/a      n/a         -             0  100/1');
  });
});

describe('renderFrame', () => {
  const at = Date.parse('2026-12-04T21:50:03Z');

  it('puts the time and interval above the table, the totals below, and the fix for dead letters', () => {
    const rows = watchRows(
      sample(at - 2_000, status('jobs', 0), status('stores', 0)),
      sample(at, status('jobs', 20, { lagEvents: 4, deadLetters: 1 }), status('stores', 10)),
    );
    const frame = renderFrame(rows, { at, intervalSeconds: 2 });
    expect(frame[0]).toBe('Console status at 21:50:03 UTC, every 2 s (Ctrl-C to quit)');
    expect(frame.at(-1)).toBe('applied 15 events/s in all; 1 of 2 projections behind; 1 dead letters (npm run console -- dead-letters)');
  });

  it('says how to get projections when there are none', () => {
    expect(renderFrame([], { at, intervalSeconds: 2 })).toContain(
      'no projections: run `npm run console -- migrate`, or start Console (`npm start`)',
    );
  });
});

describe('renderLine', () => {
  it('is one line a sample, every projection on it', () => {
    const rows = watchRows(
      sample(0, status('jobs', 0)),
      sample(500, status('jobs', 10, { lagEvents: 7, lagSeconds: 1.04 }), status('stores', 0)),
    );
    expect(renderLine(rows, Date.parse('2026-12-04T21:50:03Z'))).toBe(
      '2026-12-04T21:50:03.000Z jobs gen=1 lag=7ev/1.0s rate=20/s dead=0; stores gen=1 lag=0ev/0.0s rate=-/s dead=0',
    );
  });
});

describe('watchStatus', () => {
  /** Samples the given answers (an Error is thrown), one a tick of a clock that advances 1 s a tick; aborted (Ctrl-C) after the last. */
  async function watch(answers: (ProjectionStatus[] | Error)[], out: { isTTY?: boolean; columns?: number; json?: boolean }) {
    const controller = new AbortController();
    const written: string[] = [];
    let tick = 0;
    let read = 0;
    await watchStatus({
      read: async () => {
        const answer = answers[read++]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      intervalSeconds: 1,
      out: { write: (chunk: string) => written.push(chunk), isTTY: out.isTTY, columns: out.columns },
      json: out.json,
      signal: controller.signal,
      now: () => Date.parse('2026-12-04T21:50:00Z') + tick * 1000,
      wait: async () => {
        tick++;
        if (read === answers.length) controller.abort();
      },
    });
    return written;
  }

  it('writes one line a sample when stdout is not a terminal, and stops when the signal is aborted', async () => {
    const written = await watch([[status('jobs', 0)], [status('jobs', 5)]], { isTTY: false });
    expect(written).toEqual([
      '2026-12-04T21:50:00.000Z jobs gen=1 lag=0ev/0.0s rate=-/s dead=0\n',
      '2026-12-04T21:50:01.000Z jobs gen=1 lag=0ev/0.0s rate=5.0/s dead=0\n',
    ]);
  });

  it('on a terminal, redraws over the previous frame and shows the cursor again at the end', async () => {
    const written = await watch([[status('jobs', 0)], [status('jobs', 5)]], { isTTY: true, columns: 200 });
    expect(written[0]).toBe('\x1b[?25l');
    expect(written[1]!.startsWith('Console status at 21:50:00 UTC')).toBe(true);
    const height = written[1]!.split('\n').length - 1;
    expect(written[2]!.startsWith(`\x1b[${height}A\x1b[0JConsole status at 21:50:01 UTC`)).toBe(true);
    expect(written.at(-1)).toBe('\x1b[?25h');
  });

  it('cuts lines to the terminal width, so the redraw moves up over exactly what it drew', async () => {
    const written = await watch([[status('a_projection_with_a_long_name', 0)]], { isTTY: true, columns: 30 });
    expect(Math.max(...written[1]!.split('\n').map((line) => line.length))).toBe(30);
  });

  it('shows a lost connection with its fix and keeps sampling', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const written = await watch([[status('jobs', 0)], refused, [status('jobs', 9)]], { isTTY: false });
    expect(written[1]).toBe(
      '2026-12-04T21:50:01.000Z ! database unreachable (connect ECONNREFUSED 127.0.0.1:5432); retrying. Is Console running? Start it with `npm start`\n',
    );
    // No rate across the outage.
    expect(written[2]).toBe('2026-12-04T21:50:02.000Z jobs gen=1 lag=0ev/0.0s rate=-/s dead=0\n');
  });

  it('fails on any other error', async () => {
    await expect(watch([new Error('relation "projection_checkpoints" does not exist')], { isTTY: false })).rejects.toThrow(
      'projection_checkpoints',
    );
  });

  it('writes one JSON object a sample with --json', async () => {
    const written = await watch([[status('jobs', 0)], [status('jobs', 3)]], { isTTY: true, json: true });
    expect(written.map((line) => JSON.parse(line))).toEqual([
      { at: '2026-12-04T21:50:00.000Z', projections: [expect.objectContaining({ name: 'jobs', eventsPerSecond: null })] },
      { at: '2026-12-04T21:50:01.000Z', projections: [expect.objectContaining({ name: 'jobs', eventsPerSecond: 3 })] },
    ]);
  });
});
