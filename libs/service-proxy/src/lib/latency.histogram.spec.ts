import fc from 'fast-check';
import { LatencyHistogram, latencyBucketIndex, LATENCY_BUCKET_COUNT } from './latency.histogram';

const exactPercentile = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];

describe('LatencyHistogram', () => {
  it('is 0 when empty', () => {
    expect(new LatencyHistogram().percentile(0.99)).toBe(0);
  });

  it('estimates any percentile within the 10% bucket width', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99, 1),
        (samples, q) => {
          const h = new LatencyHistogram();
          for (const s of samples) h.record(s);
          const exact = exactPercentile([...samples].sort((x, y) => x - y), q);
          const estimate = h.percentile(q);
          expect(estimate).toBeGreaterThanOrEqual(exact / 1.1 - 1e-9);
          expect(estimate).toBeLessThanOrEqual(exact * 1.1 + 1e-9);
        },
      ),
    );
  });

  it('clamps out-of-range values into the first and last buckets', () => {
    expect(latencyBucketIndex(0)).toBe(0);
    expect(latencyBucketIndex(-5)).toBe(0);
    expect(latencyBucketIndex(Number.NaN)).toBe(0);
    expect(latencyBucketIndex(1e9)).toBe(LATENCY_BUCKET_COUNT - 1);
  });

  it('adds histograms bucket by bucket', () => {
    const x = new LatencyHistogram();
    const y = new LatencyHistogram();
    [1, 2, 3].forEach((v) => x.record(v));
    [100, 200].forEach((v) => y.record(v));
    x.add(y);
    expect(x.total).toBe(5);
    expect(x.percentile(1)).toBeGreaterThan(180);
    expect(x.percentile(0.2)).toBeLessThan(1.1);
  });
});
