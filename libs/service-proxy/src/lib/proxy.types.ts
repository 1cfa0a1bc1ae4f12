import type { Registry } from 'prom-client';

export type BalancingPolicy = 'round-robin' | 'least-connections';

/** Where the proxy accepts a Service's traffic: a nodePort on 0.0.0.0 / the advertise address, or a LoadBalancer port. */
export interface ProxyListenerSpec {
  address: string;
  port: number;
  protocol: 'TCP';
}

/** One replica behind a Service: `nodeAddress:hostPort`. */
export interface ProxiedEndpoint {
  /** The replica uid: stable for the replica's life, used by drainEndpoint. */
  id: string;
  address: string;
  port: number;
  ready: boolean;
  /** Terminating: keeps its connections, gets no new ones. */
  draining?: boolean;
}

export interface ProxiedService {
  /** `namespace/name`. */
  key: string;
  listeners: ProxyListenerSpec[];
  /** The Service's targetPort as declared; endpoints already carry the resolved host port. */
  targetPort: number | string;
  /** 'http' parses HTTP/1.1 and records per-request metrics; absent = plain L4 TCP. */
  appProtocol?: 'http';
  balancing?: BalancingPolicy;
  endpoints: ProxiedEndpoint[];
}

export interface ServiceProxyOptions {
  /** Upper bound on establishing one upstream connection (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Endpoints tried per client connection / request before giving up (default 3). */
  maxConnectAttempts?: number;
  /** Sliding window for rps, error rate and latency percentiles (default 10 s). */
  metricsWindowMs?: number;
  /** Registers this proxy's metrics in a prom-client registry (or call registerMetrics later). */
  registry?: Registry;
  /** Prefix of the Prometheus metric names (default `berth_proxy_`). */
  metricPrefix?: string;
  /** Client-side keep-alive in HTTP mode (default 5000 ms, Node's default). */
  httpKeepAliveTimeoutMs?: number;
  /** Idle pooled upstream connections are closed after this (default 4000 ms: below common 5 s server timeouts). */
  upstreamIdleTimeoutMs?: number;
  /** Cap on concurrent upstream connections per endpoint in HTTP mode (default 256). */
  maxSocketsPerEndpoint?: number;
}

export type ListenerState = 'listening' | 'failed';

export interface ListenerStatus {
  service: string;
  address: string;
  port: number;
  state: ListenerState;
  /** Set when state is 'failed'. */
  error?: Error;
}

export interface ApplyResult {
  /** Listeners opened by this call. */
  opened: ListenerStatus[];
  /** Listeners closed by this call (their connections were left to finish). */
  closed: ListenerStatus[];
  /** One typed error per listener that could not be opened; every other listener works. */
  errors: Error[];
  services: number;
}

export interface DrainResult {
  id: string;
  /** True when no connection (L4) or in-flight request (HTTP) to the endpoint remains. */
  drained: boolean;
  remaining: number;
  waitedMs: number;
}

export interface CloseResult {
  /** True when every connection ended before the timeout. */
  graceful: boolean;
  /** Connections cut at the timeout. */
  destroyed: number;
}

export interface LatencyBucket {
  /** Upper bound in ms; Infinity for the last bucket. */
  leMs: number;
  /** Cumulative count, Prometheus-style. */
  count: number;
}

export interface EndpointSnapshot {
  id: string;
  address: string;
  port: number;
  ready: boolean;
  draining: boolean;
  /** Open connections (L4) or in-flight requests (HTTP). */
  active: number;
  total: number;
  failedConnects: number;
}

export interface ServiceMetricsSnapshot {
  service: string;
  mode: 'tcp' | 'http';
  balancing: BalancingPolicy;
  /** Epoch ms of the snapshot. */
  at: number;
  connections: {
    active: number;
    total: number;
    /** Upstream connection attempts that failed (refused, timed out, unreachable). */
    failedConnects: number;
    /** Client connections closed at once because no endpoint was ready. */
    rejectedNoEndpoint: number;
    /** Client connections closed after every attempt failed. */
    failedAllAttempts: number;
    retries: number;
    bytesIn: number;
    bytesOut: number;
  };
  http: {
    requests: number;
    errors5xx: number;
    /** Count by status code; proxy-generated 502/503 included. */
    statusCodes: Record<string, number>;
    retries: number;
    latencyBuckets: LatencyBucket[];
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
  };
  /** The last metricsWindowMs: what an autoscaler should read. */
  window: {
    seconds: number;
    connections: number;
    connectionsPerSecond: number;
    requests: number;
    rps: number;
    errors5xx: number;
    errorRate: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
  };
  endpoints: EndpointSnapshot[];
}
