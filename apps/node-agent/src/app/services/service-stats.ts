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
 * them into rates). Latency is the proxy's sliding window: its median stands in for the average and
 * its p99 for the maximum, which the proxy does not keep. Returns the samples and the new baseline.
 */
export function serviceStatsSince(
  snapshots: ServiceMetricsSnapshot[],
  previous: ReadonlyMap<string, ServiceCounters>,
  now: number,
): { samples: ServiceStatsSample[]; counters: Map<string, ServiceCounters> } {
  const counters = new Map<string, ServiceCounters>();
  const samples: ServiceStatsSample[] = [];
  for (const snapshot of snapshots) {
    if (snapshot.mode !== 'http') continue;
    const current = { at: now, requests: snapshot.http.requests, errors: snapshot.http.errors5xx };
    counters.set(snapshot.service, current);
    const before = previous.get(snapshot.service);
    // The first sight of a service only sets the baseline; a counter that went down means the proxy restarted.
    if (!before || current.requests < before.requests || current.errors < before.errors || now <= before.at) continue;
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
