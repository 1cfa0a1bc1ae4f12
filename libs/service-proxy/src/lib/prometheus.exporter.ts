import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_MS } from './service.metrics';
import { ServiceRuntime } from './service.runtime';

/**
 * Puts a proxy's counters in a prom-client registry. Counters and gauges are read from the
 * proxy at scrape time (nothing on the hot path); only the latency histogram is observed per request.
 */
export class PrometheusExporter {
  private readonly latency: Histogram<'service'>;

  constructor(registry: Registry, prefix: string, services: () => Iterable<ServiceRuntime>) {
    const each = (fn: (s: ServiceRuntime) => void): void => {
      for (const s of services()) fn(s);
    };
    const registers = [registry];
    new Gauge({
      name: `${prefix}connections_active`,
      help: 'Open client connections per service',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        each((s) => this.set({ service: s.key }, s.metrics.activeConnections));
      },
    });
    new Gauge({
      name: `${prefix}endpoints_eligible`,
      help: 'Endpoints receiving new connections (ready, not draining) per service',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        each((s) => this.set({ service: s.key }, s.eligible.length));
      },
    });
    const counter = (name: string, help: string, read: (s: ServiceRuntime) => number): void => {
      new Counter({
        name: `${prefix}${name}`,
        help,
        labelNames: ['service'],
        registers,
        collect() {
          this.reset();
          each((s) => this.inc({ service: s.key }, read(s)));
        },
      });
    };
    counter('connections_total', 'Client connections accepted per service', (s) => s.metrics.totalConnections);
    counter('connect_failures_total', 'Upstream connection attempts that failed', (s) => s.metrics.failedConnects);
    counter('no_endpoint_rejections_total', 'Client connections or requests turned away because no endpoint was ready', (s) => s.metrics.rejectedNoEndpoint);
    counter('retries_total', 'Connections and requests retried on another endpoint', (s) => s.metrics.retries + s.metrics.httpRetries);
    new Counter({
      name: `${prefix}bytes_total`,
      help: 'Bytes from clients (in) and to clients (out) per service',
      labelNames: ['service', 'direction'],
      registers,
      collect() {
        this.reset();
        each((s) => {
          const snap = s.snapshot().connections;
          this.inc({ service: s.key, direction: 'in' }, snap.bytesIn);
          this.inc({ service: s.key, direction: 'out' }, snap.bytesOut);
        });
      },
    });
    new Counter({
      name: `${prefix}http_requests_total`,
      help: 'HTTP requests per service and status code (HTTP mode)',
      labelNames: ['service', 'code'],
      registers,
      collect() {
        this.reset();
        each((s) => {
          for (const [code, count] of s.metrics.statusCodes) this.inc({ service: s.key, code: String(code) }, count);
        });
      },
    });
    this.latency = new Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request latency through the proxy, first byte in to last byte out (HTTP mode)',
      labelNames: ['service'],
      buckets: LATENCY_BUCKETS_MS.map((ms) => ms / 1000),
      registers,
    });
    each((s) => this.attach(s));
  }

  attach(service: ServiceRuntime): void {
    const child = this.latency.labels({ service: service.key });
    service.metrics.latencyObserver = (seconds) => child.observe(seconds);
  }

  detach(service: ServiceRuntime): void {
    service.metrics.latencyObserver = undefined;
    this.latency.remove({ service: service.key });
  }
}
