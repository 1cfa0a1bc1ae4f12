/**
 * Log-scale latency histogram: buckets grow by 10% from 0.05 ms to 2 minutes, so any percentile
 * is within ~10% of the truth at O(1) cost per sample and a fixed 1.2 KB per histogram.
 */
const MIN_MS = 0.05;
const FACTOR = 1.1;
const MAX_MS = 120_000;
const LOG_FACTOR = Math.log(FACTOR);
export const LATENCY_BUCKET_COUNT = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_FACTOR) + 2;

const upperBound = (i: number): number => MIN_MS * FACTOR ** i;

export function latencyBucketIndex(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const i = Math.ceil(Math.log(ms / MIN_MS) / LOG_FACTOR);
  return i < LATENCY_BUCKET_COUNT ? i : LATENCY_BUCKET_COUNT - 1;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(LATENCY_BUCKET_COUNT);
  total = 0;

  record(ms: number): void {
    this.counts[latencyBucketIndex(ms)]++;
    this.total++;
  }

  add(other: LatencyHistogram): void {
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** q in [0, 1]; 0 when empty. Interpolates geometrically inside the bucket holding the rank. */
  percentile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
      const c = this.counts[i];
      if (c === 0) continue;
      if (seen + c >= rank) {
        const hi = upperBound(i);
        const lo = i === 0 ? 0 : upperBound(i - 1);
        const fraction = (rank - seen) / c;
        return i === 0 ? hi * fraction : lo * (hi / lo) ** fraction;
      }
      seen += c;
    }
    return upperBound(LATENCY_BUCKET_COUNT - 1);
  }
}
