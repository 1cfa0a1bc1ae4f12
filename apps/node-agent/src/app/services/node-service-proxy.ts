import { Logger } from '@nestjs/common';
import type { NodeServices, ServiceStatsSample } from '@berth/contracts';
import { DuplicateListener, ListenerError, PortInUse, ServiceProxy } from '@berth/service-proxy';
import type { Registry } from 'prom-client';
import { ListenAddresses, toProxiedServices } from './proxied-services.mapper';
import { serviceLinkEnv } from './service-links';
import { ServiceCounters, serviceStatsSince } from './service-stats';

export interface NodeServiceProxyOptions {
  node: string;
  addresses: ListenAddresses;
  /** Wait before stopping an endpoint's container: long enough for every node's proxy to take it out of rotation. */
  drainDelayMs: number;
  /** Then wait at most this long for its open connections / in-flight requests. */
  drainTimeoutMs: number;
  /** A listener that could not bind (port held elsewhere, address not up yet) is tried again this often. Default 5 s. */
  listenRetryMs?: number;
  registry?: Registry;
}

/**
 * One node's service proxy fed by NodeServices sets: applies them in order (latest wins), warns once
 * per listener that cannot bind (e.g. EACCES for a LoadBalancer port < 1024 without
 * CAP_NET_BIND_SERVICE; the nodePort keeps serving) and tries it again every listenRetryMs, drains
 * endpoints before their containers stop, and gives containers their services' environment.
 */
export class NodeServiceProxy {
  private readonly logger = new Logger(NodeServiceProxy.name);
  readonly proxy: ServiceProxy;
  private pending: NodeServices | null = null;
  private latest: NodeServices | null = null;
  private addresses: ListenAddresses;
  private retryTimer?: NodeJS.Timeout;
  private applying: Promise<void> | null = null;
  private readonly endpointIds = new Set<string>();
  private readonly warned = new Set<string>();
  private closed = false;
  private counters: ReadonlyMap<string, ServiceCounters> = new Map();
  private lastStatsAt = Date.now();

  constructor(private readonly options: NodeServiceProxyOptions) {
    this.proxy = new ServiceProxy({ ...(options.registry ? { registry: options.registry } : {}) });
    this.addresses = options.addresses;
  }

  /** Where containers reach this proxy (their network's gateway); cluster ports listen there from now on. */
  setClusterAddress(address: string): void {
    if (this.addresses.cluster === address) return;
    this.addresses = { ...this.addresses, cluster: address };
    if (this.latest && !this.closed) void this.apply(this.latest);
  }

  get clusterAddress(): string | undefined {
    return this.addresses.cluster;
  }

  /**
   * Kubernetes' service variables for a container of `namespace` created now: the services of the
   * latest set, pointing at this proxy's cluster address. Empty until both are known.
   */
  environmentFor(namespace: string): Record<string, string> {
    const host = this.addresses.cluster;
    if (!this.latest || host === undefined) return {};
    return serviceLinkEnv(this.latest.services, namespace, host);
  }

  /** Takes the newest set; sets that arrive while one is being applied collapse into the last. */
  apply(set: NodeServices): Promise<void> {
    this.pending = set;
    this.latest = set;
    this.applying ??= this.drainQueue().finally(() => {
      this.applying = null;
      // A set that came in after the loop's last check must not wait for the next update.
      if (this.pending && !this.closed) void this.apply(this.pending);
    });
    return this.applying;
  }

  /** HTTP metrics of each http-mode service since the previous call, for the node's stats message. */
  serviceStats(now = Date.now()): ServiceStatsSample[] {
    const { samples, counters } = serviceStatsSince(this.proxy.metricsSnapshot(), this.counters, now, this.lastStatsAt);
    this.counters = counters;
    this.lastStatsAt = now;
    return samples;
  }

  /** True when the replica is an endpoint of some service (so stopping it needs a drain). */
  isEndpoint(uid: string): boolean {
    return this.endpointIds.has(uid);
  }

  /** Before the container of `uid` stops: wait for it to leave rotation everywhere, then for its traffic here. */
  async beforeTerminate(uid: string): Promise<void> {
    if (this.closed || !this.endpointIds.has(uid)) return;
    await new Promise((resolve) => setTimeout(resolve, this.options.drainDelayMs));
    const result = await this.proxy.drainEndpoint(uid, this.options.drainTimeoutMs);
    this.logger.debug({ msg: 'endpoint drained', node: this.options.node, replica: uid, drained: result.drained, remaining: result.remaining, waitedMs: result.waitedMs });
  }

  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.applying?.catch(() => undefined);
    await this.proxy.close(timeoutMs);
  }

  private async drainQueue(): Promise<void> {
    while (this.pending && !this.closed) {
      const set = this.pending;
      this.pending = null;
      const services = toProxiedServices(set, this.addresses);
      this.endpointIds.clear();
      for (const service of services) for (const endpoint of service.endpoints) this.endpointIds.add(endpoint.id);
      try {
        const result = await this.proxy.applyServices(services);
        this.report(result.errors);
        for (const listener of result.opened) {
          const where = `${listener.service}@${listener.address}:${listener.port}`;
          if (this.warned.delete(where)) this.logger.log({ msg: 'service listener open', node: this.options.node, listener: where });
        }
        // Duplicates wait for a new set; a port held elsewhere may free up (another agent on this host stops).
        if (result.errors.some((error) => !(error instanceof DuplicateListener))) this.retryLater();
      } catch (error) {
        this.logger.error({ msg: 'services not applied', node: this.options.node, position: set.position, error: String(error) });
      }
    }
  }

  private retryLater(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.latest && !this.closed && !this.pending) void this.apply(this.latest);
    }, this.options.listenRetryMs ?? 5_000);
    this.retryTimer.unref();
  }

  private report(errors: Error[]): void {
    for (const error of errors) {
      const where = error instanceof ListenerError ? `${error.service}@${error.address}:${error.port}` : error.message;
      if (this.warned.has(where)) continue;
      this.warned.add(where);
      const privileged = error instanceof ListenerError && error.code === 'EACCES';
      const clusterHeld = error instanceof PortInUse && error.address === this.addresses.cluster;
      this.logger.warn({
        msg: privileged
          ? 'cannot bind a privileged LoadBalancer port (needs root or CAP_NET_BIND_SERVICE); serving its nodePort only'
          : clusterHeld
            ? 'cluster port held by another process (another node-agent on the same Docker network? give each its own CONTAINER_NETWORK); retrying'
            : 'service listener not open; retrying',
        node: this.options.node,
        listener: where,
        error: error.message,
      });
    }
  }
}
