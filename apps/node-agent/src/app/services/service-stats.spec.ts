import type { ServiceMetricsSnapshot } from '@berth/service-proxy';
import { serviceStatsSince } from './service-stats';

const snapshot = (service: string, mode: 'http' | 'tcp', requests: number, errors5xx: number): ServiceMetricsSnapshot =>
  ({
    service,
    mode,
    http: { requests, errors5xx },
    window: { p50Ms: 4, p95Ms: 12, p99Ms: 30 },
  }) as unknown as ServiceMetricsSnapshot;

describe('serviceStatsSince', () => {
  it('counts a service seen for the first time from zero (its proxy counters start at zero)', () => {
    const { samples, counters } = serviceStatsSince([snapshot('default/api:http', 'http', 10, 1)], new Map(), 6_000, 1_000);
    expect(samples).toEqual([{ service: 'default/api', windowSeconds: 5, requests: 10, errors: 1, latencyAvgMs: 4, latencyP95Ms: 12, latencyMaxMs: 30 }]);
    expect(counters.get('default/api:http')).toEqual({ at: 6_000, requests: 10, errors: 1 });
  });

  it('reports disjoint deltas per interval, named by the service', () => {
    const first = serviceStatsSince([snapshot('default/api:http', 'http', 10, 1)], new Map(), 1_000);
    const second = serviceStatsSince([snapshot('default/api:http', 'http', 60, 6)], first.counters, 6_000);
    expect(second.samples).toEqual([
      { service: 'default/api', windowSeconds: 5, requests: 50, errors: 5, latencyAvgMs: 4, latencyP95Ms: 12, latencyMaxMs: 30 },
    ]);
  });

  it('skips L4 services, and counts restarted counters from zero', () => {
    const base = new Map([['default/api:http', { at: 1_000, requests: 100, errors: 0 }]]);
    const { samples } = serviceStatsSince([snapshot('default/db:5432', 'tcp', 0, 0), snapshot('default/api:http', 'http', 3, 0)], base, 2_000, 1_000);
    expect(samples).toEqual([expect.objectContaining({ service: 'default/api', requests: 3, windowSeconds: 1 })]);
  });

  it('reports an idle interval with zero latency', () => {
    const base = new Map([['default/api:http', { at: 1_000, requests: 5, errors: 0 }]]);
    const { samples } = serviceStatsSince([snapshot('default/api:http', 'http', 5, 0)], base, 3_000);
    expect(samples[0]).toMatchObject({ requests: 0, latencyAvgMs: 0, latencyP95Ms: 0, windowSeconds: 2 });
  });
});
