import type { ServiceStatsSample } from '@berth/contracts';
import type { ServiceMetricsSnapshot } from '@berth/service-proxy';

/** Cumulative counters of one proxied service port at the previous stats message. */
export interface ServiceCounters {
  at: number;
  requests: number;
  errors: number;
}

/**
 * Turns the proxy's cumulative HTTP counters into disjoint per-interval samples (the monitor sums
 * them into rates). A service seen for the first time, or whose counters went down (the proxy
 * restarted it), counts from zero since `lastAt`: the proxy's counters start at zero. Latency is
 * the proxy's sliding window: its median stands in for the average and its p99 for the maximum,
 * which the proxy does not keep. Returns the samples and the new baseline.
 */
export function serviceStatsSince(
  snapshots: ServiceMetricsSnapshot[],
  previous: ReadonlyMap<string, ServiceCounters>,
  now: number,
  lastAt = now - 1_000,
): { samples: ServiceStatsSample[]; counters: Map<string, ServiceCounters> } {
  const counters = new Map<string, ServiceCounters>();
  const samples: ServiceStatsSample[] = [];
  for (const snapshot of snapshots) {
    if (snapshot.mode !== 'http') continue;
    const current = { at: now, requests: snapshot.http.requests, errors: snapshot.http.errors5xx };
    counters.set(snapshot.service, current);
    const known = previous.get(snapshot.service);
    const restarted = !known || current.requests < known.requests || current.errors < known.errors;
    const before = restarted ? { at: Math.min(lastAt, now - 1), requests: 0, errors: 0 } : known;
    if (now <= before.at) continue;
    const requests = current.requests - before.requests;
    samples.push({
      service: snapshot.service.replace(/:[^:/]*$/, ''),
      windowSeconds: (now - before.at) / 1000,
      requests,
      errors: current.errors - before.errors,
      latencyAvgMs: requests > 0 ? snapshot.window.p50Ms : 0,
      latencyP95Ms: requests > 0 ? snapshot.window.p95Ms : 0,
      latencyMaxMs: requests > 0 ? snapshot.window.p99Ms : 0,
    });
  }
  return { samples, counters };
}
