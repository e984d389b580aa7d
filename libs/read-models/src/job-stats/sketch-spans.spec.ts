import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DAY_SPAN_MINUTES, coverFrom, spansOf, type Span, type WindowCover } from './sketch-spans.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2025-06-15T13:37:12.345Z');

const key = (span: Span) => `${span.minutes}@${span.start.toISOString()}`;

/**
 * Where a job created at `t` is counted when the window is read through `cover`: each way the
 * projection could have put it in a row the query reads (0: not read, 2+: read twice).
 */
function readings(cover: WindowCover, t: number): number {
  const chosen = new Set(cover.spans.map(key));
  const inRaw = t >= cover.raw.from.getTime() && t < cover.raw.to.getTime() ? 1 : 0;
  const inSpans = spansOf(t).filter((span) => chosen.has(key(span))).length;
  const dayStart = Math.floor(t / DAY) * DAY;
  const inTail = dayStart >= cover.tailFrom.getTime() ? 1 : 0;
  return inRaw + inSpans + inTail;
}

/** Instants near the edges that matter: minute, hour and day boundaries of `from` and `now`. */
const nearArb = (around: number) =>
  fc.oneof(
    fc.integer({ min: around - 40 * DAY, max: around + 3 * DAY }),
    fc
      .record({
        unit: fc.constantFrom(MINUTE, HOUR, DAY, 32 * DAY),
        offset: fc.integer({ min: -3, max: 3 }),
        delta: fc.constantFrom(-1, 0, 1),
      })
      .map(({ unit, offset, delta }) => Math.floor(around / unit) * unit + offset * unit + delta),
  );

describe('duration sketch spans', () => {
  it('count a job in 17 spans of distinct lengths, each holding its creation time and none crossing its hour or day', () => {
    fc.assert(
      fc.property(nearArb(NOW), (t) => {
        const spans = spansOf(t);
        const misplaced = spans.filter(({ minutes, start }) => {
          const begin = start.getTime();
          const holds = begin <= t && t < begin + minutes * MINUTE;
          const aligned =
            minutes < 60
              ? Math.floor(begin / HOUR) === Math.floor(t / HOUR)
              : minutes < DAY_SPAN_MINUTES
                ? Math.floor(begin / DAY) === Math.floor(t / DAY)
                : begin % (minutes * MINUTE) === 0;
          return !holds || !aligned;
        });
        expect({ lengths: new Set(spans.map((s) => s.minutes)).size, misplaced }).toEqual({ lengths: 17, misplaced: [] });
      }),
      { numRuns: 500 },
    );
  });

  it('read every job created at or after `from` exactly once, and none before it', () => {
    fc.assert(
      fc.property(
        nearArb(NOW).chain((from) => fc.tuple(fc.constant(from), nearArb(from), fc.array(nearArb(from), { minLength: 20, maxLength: 20 }))),
        fc.integer({ min: -2 * DAY, max: 40 * DAY }),
        ([from, t, more], nowOffset) => {
          const cover = coverFrom(new Date(from), new Date(from + nowOffset));
          const instants = [t, ...more, from, from - 1, cover.raw.to.getTime(), cover.tailFrom.getTime() - 1, cover.tailFrom.getTime()];
          const wrong = instants
            .map((instant) => ({
              instant: new Date(instant).toISOString(),
              readings: readings(cover, instant),
              expected: instant >= from ? 1 : 0,
            }))
            .filter(({ readings, expected }) => readings !== expected);
          expect(wrong).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('read at most 17 spans for a 30-day window, under a minute of jobs one by one, and no tail before now', () => {
    fc.assert(
      fc.property(nearArb(NOW), (now) => {
        for (const hours of [24, 168, 720]) {
          const cover = coverFrom(new Date(now - hours * HOUR), new Date(now));
          const bounded =
            cover.spans.length <= 17 && cover.raw.to.getTime() - cover.raw.from.getTime() < MINUTE && cover.tailFrom.getTime() > now;
          if (!bounded) expect({ hours, now: new Date(now).toISOString(), cover }).toBe('bounded');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('cover a 30-day window with the longest aligned spans: an example worked by hand', () => {
    // Epoch day 20001 (2024-10-05) is one past a multiple of 32 (20000 = 625 × 32).
    const from = Date.parse('2024-10-05T00:00:30.000Z');
    const cover = coverFrom(new Date(from), new Date(from + 30 * DAY));
    expect(cover.raw).toEqual({ from: new Date(from), to: new Date('2024-10-05T00:01:00.000Z') });
    expect(cover.spans.map((s) => `${s.minutes} ${s.start.toISOString()}`)).toEqual([
      '1 2024-10-05T00:01:00.000Z',
      '2 2024-10-05T00:02:00.000Z',
      '4 2024-10-05T00:04:00.000Z',
      '8 2024-10-05T00:08:00.000Z',
      '16 2024-10-05T00:16:00.000Z',
      '32 2024-10-05T00:32:00.000Z', // cut at 01:00
      '60 2024-10-05T01:00:00.000Z',
      '120 2024-10-05T02:00:00.000Z',
      '240 2024-10-05T04:00:00.000Z',
      '480 2024-10-05T08:00:00.000Z',
      '960 2024-10-05T16:00:00.000Z', // cut at midnight
      '2880 2024-10-06T00:00:00.000Z', // days 20002–20003
      '5760 2024-10-08T00:00:00.000Z', // 20004–20007
      '11520 2024-10-12T00:00:00.000Z', // 20008–20015
      '23040 2024-10-20T00:00:00.000Z', // 20016–20031, which holds `now`
    ]);
    expect(cover.tailFrom).toEqual(new Date('2024-11-05T00:00:00.000Z'));
  });
});
