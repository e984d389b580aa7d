/**
 * The time spans that hold duration sketches, and which of them a window reads.
 *
 * A job's duration is counted in 17 nested spans around its creation time: 1, 2, 4, 8, 16 and 32
 * minutes aligned inside its hour, 1, 2, 4, 8 and 16 hours aligned inside its UTC day, and 1, 2,
 * 4, 8, 16 and 32 days aligned on the Unix epoch (a span that would cross its hour or day is cut
 * at it). Any window "created ≥ from" is then, exactly: the jobs of its first partial minute (read
 * from the jobs index: under a minute of them), at most 6 minute spans up to the next hour, at most
 * 5 hour spans up to the next midnight, and at most 6 day spans up to past `now`, plus the 1-day
 * spans after those (jobs stamped in the future: normally none). So a 30-day percentile merges
 * about 17 sketches however many jobs the workspace has, where whole hours and days needed ~53
 * and every job of the first partial hour.
 *
 * A span is named by its length in minutes (distinct across the three kinds) and its start.
 */
export interface Span {
  readonly minutes: number;
  readonly start: Date;
}

export interface WindowCover {
  /** Jobs created in [from, to) are read one by one (the partial first minute); empty when from = to. */
  readonly raw: { readonly from: Date; readonly to: Date };
  /** Disjoint spans that hold exactly the jobs created in [raw.to, tailFrom). */
  readonly spans: readonly Span[];
  /** Jobs created at or after this instant are in the 1-day spans that start there or later. */
  readonly tailFrom: Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Kind {
  /** Length of the shortest span of this kind. */
  readonly unit: number;
  /** Spans are aligned inside one of these (null: on the epoch) and never cross its end. */
  readonly within: number | null;
  /** Longest span: unit × 2^maxShift. */
  readonly maxShift: number;
}

const KINDS: readonly Kind[] = [
  { unit: MINUTE, within: HOUR, maxShift: 5 },
  { unit: HOUR, within: DAY, maxShift: 4 },
  { unit: DAY, within: null, maxShift: 5 },
];

/** The 1-day spans: the only ones a window reads by range (its tail). */
export const DAY_SPAN_MINUTES = DAY / MINUTE;

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

/** The spans that count a job created at `createdAt` (ms since the epoch): one per kind and length. */
export function spansOf(createdAt: number): Span[] {
  const spans: Span[] = [];
  for (const { unit, within, maxShift } of KINDS) {
    const origin = within === null ? 0 : floorTo(createdAt, within);
    for (let shift = 0; shift <= maxShift; shift++) {
      const length = unit * 2 ** shift;
      spans.push({ minutes: length / MINUTE, start: new Date(origin + floorTo(createdAt - origin, length)) });
    }
  }
  return spans;
}

/**
 * The window "created ≥ from" as raw jobs, spans and a tail. `now` only says how far the spans
 * must reach: whatever lies past them is in the tail, so the answer is exact for any `now`.
 */
export function coverFrom(from: Date, now: Date): WindowCover {
  const rawTo = ceilTo(from.getTime(), MINUTE);
  const spans: Span[] = [];
  let at = rawTo;
  for (const { unit, within, maxShift } of KINDS) {
    // Up to the end of the enclosing hour or day, or (days) until `now` is covered.
    const end = within === null ? null : ceilTo(at, within);
    const origin = within === null ? 0 : floorTo(at, within);
    while (end === null ? at <= now.getTime() : at < end) {
      const index = (at - origin) / unit;
      // The longest span starting here: aligned on its own length, so index must be a multiple of it.
      let shift = 0;
      while (shift < maxShift && index % 2 ** (shift + 1) === 0) shift++;
      const length = unit * 2 ** shift;
      spans.push({ minutes: length / MINUTE, start: new Date(at) });
      at = end === null ? at + length : Math.min(at + length, end);
    }
  }
  return { raw: { from, to: new Date(rawTo) }, spans, tailFrom: new Date(at) };
}
