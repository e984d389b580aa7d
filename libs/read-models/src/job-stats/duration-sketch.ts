/**
 * A log-bucketed duration histogram in the manner of DDSketch: a value x > 0 falls into bucket
 * ceil(log_γ x) with γ = (1 + α) / (1 − α), and every value of a bucket lies within relative error α
 * of the bucket's representative 2γ^i / (γ + 1). Histograms are `{index: count}` maps that merge
 * by addition, so hourly rows, daily rows and a batch's changes combine exactly.
 */
export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);

export type Counts = Record<string, number>;

export function bucketOf(valueMs: number): number {
  if (!(valueMs > 0)) throw new RangeError(`only positive durations are bucketed, got ${valueMs}`);
  return Math.ceil(Math.log(valueMs) / LOG_GAMMA);
}

/**
 * The representative of bucket i, which holds (γ^(i−1), γ^i]. Durations are whole milliseconds, so
 * a bucket narrower than one millisecond holds at most one possible value: that value is exact.
 */
export function bucketValue(index: number): number {
  const upper = GAMMA ** index;
  const onlyInteger = Math.floor(upper);
  if (onlyInteger >= 1 && onlyInteger > upper / GAMMA && onlyInteger - 1 <= upper / GAMMA) return onlyInteger;
  return (2 * upper) / (GAMMA + 1);
}

export function addCounts(target: Counts, source: Readonly<Counts>): Counts {
  for (const [bucket, count] of Object.entries(source)) target[bucket] = (target[bucket] ?? 0) + Number(count);
  return target;
}

/**
 * Nearest-rank percentile, as the original computed it on sorted values (index ⌈p/100 · n⌉ − 1),
 * answered from the histogram: the bucket holding that rank, within α of the exact value.
 */
export function percentileOf(counts: Readonly<Counts>, p: number): number | null {
  const buckets = Object.entries(counts)
    .map(([bucket, count]) => [Number(bucket), Number(count)] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= rank) return bucketValue(bucket);
  }
  return bucketValue(buckets.at(-1)![0]);
}
