/**
 * A fixed-bucket histogram of durations in milliseconds, kept with plain increments so that a hot
 * path can record into it cheaply; readers (a metrics collector) read the cumulative counts.
 */

/** Default upper bounds in milliseconds of store flush durations (the last bucket is +Inf). */
export const FLUSH_BUCKETS_MS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000];

/** A fixed-bucket histogram of latencies (store flushes) for the metrics. */
export class LatencyHistogram {
  /** Observations per bucket (not cumulative); the last entry counts those above every bound. */
  private readonly counts: Float64Array;
  /** Sum of the observed durations in milliseconds. */
  sum = 0;
  /** Number of observations. */
  count = 0;

  /** `bounds`: increasing upper bounds in milliseconds. */
  constructor(readonly bounds: readonly number[] = FLUSH_BUCKETS_MS) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one duration in milliseconds. */
  observe(ms: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && ms > b[i]) i++;
    this.counts[i]++;
    this.sum += ms;
    this.count++;
  }

  /** Cumulative counts per bound, in the order of `bounds`, then the total (+Inf). */
  cumulative(): number[] {
    const out: number[] = [];
    let n = 0;
    for (const c of this.counts) out.push((n += c));
    return out;
  }
}
