import type { Socket } from 'net';
import { EndpointBalancer } from './endpoint.balancer';
import { EndpointState } from './endpoint.state';
import { BalancingPolicy, ProxiedService, ServiceMetricsSnapshot } from './proxy.types';
import { ServiceMetrics } from './service.metrics';

export interface ServiceRuntimeHooks {
  /** Called when an endpoint's active count reaches 0 (drains and retired-endpoint cleanup). */
  onEndpointIdle(endpoint: EndpointState): void;
  onEndpointCreated(endpoint: EndpointState): void;
  /** Whether drainEndpoint was called for this id and still applies. */
  isDrainRequested(id: string): boolean;
}

/** The live state of one Service: its endpoints, the eligible subset, balancer and counters. */
export class ServiceRuntime {
  spec: ProxiedService;
  readonly endpoints = new Map<string, EndpointState>();
  /** Endpoints removed or replaced while they still had connections. */
  readonly retired = new Set<EndpointState>();
  /** Ready, not draining: the only endpoints that get new connections. */
  eligible: EndpointState[] = [];
  readonly balancer: EndpointBalancer<EndpointState>;
  readonly metrics: ServiceMetrics;
  /** Open client connections, for live byte counts. */
  readonly sockets = new Set<Socket>();
  removed = false;

  constructor(
    spec: ProxiedService,
    windowMs: number,
    private readonly hooks: ServiceRuntimeHooks,
  ) {
    this.spec = spec;
    this.balancer = new EndpointBalancer(spec.balancing ?? 'round-robin');
    this.metrics = new ServiceMetrics(windowMs);
    this.update(spec);
  }

  get key(): string {
    return this.spec.key;
  }

  get mode(): 'tcp' | 'http' {
    return this.spec.appProtocol === 'http' ? 'http' : 'tcp';
  }

  get balancing(): BalancingPolicy {
    return this.balancer.policy;
  }

  /** Diffs endpoints in place: a known id keeps its state (and connections); a moved one is replaced. */
  update(spec: ProxiedService): void {
    this.spec = spec;
    this.balancer.policy = spec.balancing ?? 'round-robin';
    const seen = new Set<string>();
    for (const e of spec.endpoints) {
      seen.add(e.id);
      const current = this.endpoints.get(e.id);
      if (current !== undefined && current.address === e.address && current.port === e.port) {
        current.ready = e.ready;
        current.draining = e.draining === true;
        continue;
      }
      if (current !== undefined) this.retire(current);
      const state = new EndpointState(spec.key, e.id, e.address, e.port, e, (ep) => this.endpointIdle(ep));
      state.drainRequested = this.hooks.isDrainRequested(e.id);
      this.endpoints.set(e.id, state);
      this.hooks.onEndpointCreated(state);
    }
    for (const [id, state] of this.endpoints) if (!seen.has(id)) this.retire(state);
    this.refreshEligible();
  }

  /** Takes every endpoint out; connections already open run to their end. */
  remove(): void {
    this.removed = true;
    for (const state of [...this.endpoints.values()]) this.retire(state);
    this.refreshEligible();
  }

  refreshEligible(): void {
    const eligible: EndpointState[] = [];
    for (const state of this.endpoints.values()) if (state.eligible) eligible.push(state);
    this.eligible = eligible;
  }

  pick(exclude?: readonly EndpointState[]): EndpointState | undefined {
    return this.balancer.pick(this.eligible, exclude);
  }

  snapshot(): ServiceMetricsSnapshot {
    const m = this.metrics;
    let bytesIn = m.closedBytesIn;
    let bytesOut = m.closedBytesOut;
    for (const socket of this.sockets) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    const w = m.window();
    const statusCodes: Record<string, number> = {};
    for (const [code, count] of [...m.statusCodes.entries()].sort((a, b) => a[0] - b[0])) statusCodes[String(code)] = count;
    return {
      service: this.key,
      mode: this.mode,
      balancing: this.balancing,
      at: Date.now(),
      connections: {
        active: m.activeConnections,
        total: m.totalConnections,
        failedConnects: m.failedConnects,
        rejectedNoEndpoint: m.rejectedNoEndpoint,
        failedAllAttempts: m.failedAllAttempts,
        retries: m.retries,
        bytesIn,
        bytesOut,
      },
      http: {
        requests: m.requests,
        errors5xx: m.errors5xx,
        statusCodes,
        retries: m.httpRetries,
        latencyBuckets: m.cumulativeBuckets(),
        p50Ms: m.latency.percentile(0.5),
        p95Ms: m.latency.percentile(0.95),
        p99Ms: m.latency.percentile(0.99),
      },
      window: {
        seconds: w.seconds,
        connections: w.connections,
        connectionsPerSecond: w.connections / w.seconds,
        requests: w.requests,
        rps: w.requests / w.seconds,
        errors5xx: w.errors5xx,
        errorRate: w.requests === 0 ? 0 : w.errors5xx / w.requests,
        p50Ms: w.latency.percentile(0.5),
        p95Ms: w.latency.percentile(0.95),
        p99Ms: w.latency.percentile(0.99),
      },
      endpoints: [...this.endpoints.values()].map((e) => e.snapshot()),
    };
  }

  private retire(state: EndpointState): void {
    if (this.endpoints.get(state.id) === state) this.endpoints.delete(state.id);
    state.retired = true;
    if (state.active > 0) this.retired.add(state);
    else this.endpointIdle(state);
  }

  private endpointIdle(state: EndpointState): void {
    if (state.retired) {
      this.retired.delete(state);
      state.agent?.destroy();
      state.agent = undefined;
    }
    this.hooks.onEndpointIdle(state);
  }
}
