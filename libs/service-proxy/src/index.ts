export { ServiceProxy } from './lib/service.proxy';
export {
  DuplicateListener,
  InvalidProxiedService,
  ListenerError,
  ListenerFailed,
  PortInUse,
  ProxyClosed,
  UpstreamConnectTimeout,
} from './lib/proxy.errors';
export { EndpointBalancer } from './lib/endpoint.balancer';
export type { BalancedEndpoint } from './lib/endpoint.balancer';
export { LatencyHistogram } from './lib/latency.histogram';
export { LATENCY_BUCKETS_MS } from './lib/service.metrics';
export type {
  ApplyResult,
  BalancingPolicy,
  CloseResult,
  DrainResult,
  EndpointSnapshot,
  LatencyBucket,
  ListenerState,
  ListenerStatus,
  ProxiedEndpoint,
  ProxiedService,
  ProxyListenerSpec,
  ServiceMetricsSnapshot,
  ServiceProxyOptions,
} from './lib/proxy.types';
