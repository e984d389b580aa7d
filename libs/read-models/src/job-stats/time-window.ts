const HOUR = 3_600_000;

export const floorHour = (t: Date) => new Date(Math.floor(t.getTime() / HOUR) * HOUR);
export const ceilHour = (t: Date) => new Date(Math.ceil(t.getTime() / HOUR) * HOUR);
export const hoursBefore = (t: Date, hours: number) => new Date(t.getTime() - hours * HOUR);

/**
 * A window of job creation times, split so that whole hours come from the hourly table and only
 * the partial edge hours are read from the jobs index. `to` null means open-ended (the original's
 * "createdAt ≥ start" windows); otherwise `to` is inclusive (its "between").
 */
export interface WindowSplit {
  /** Hourly rows with hour in [fullFrom, fullTo) (fullTo null: no upper bound); null: none. */
  readonly full: { readonly from: Date; readonly to: Date | null } | null;
  /** Job rows with created_at in each [from, to) or, for `inclusiveTo`, [from, to]. */
  readonly edges: ReadonlyArray<{ readonly from: Date; readonly to: Date; readonly inclusiveTo: boolean }>;
}

export function splitWindow(from: Date, to: Date | null): WindowSplit {
  const firstFull = ceilHour(from);
  const startEdge = firstFull.getTime() > from.getTime() ? [{ from, to: firstFull, inclusiveTo: false }] : [];
  if (to === null) return { full: { from: firstFull, to: null }, edges: startEdge };
  const lastFull = floorHour(to);
  if (firstFull.getTime() > lastFull.getTime()) return { full: null, edges: [{ from, to, inclusiveTo: true }] };
  return {
    full: firstFull.getTime() < lastFull.getTime() ? { from: firstFull, to: lastFull } : null,
    edges: [...startEdge, { from: lastFull, to, inclusiveTo: true }],
  };
}
