import { Logger } from '@nestjs/common';
import type { NodeServices, ServiceStatsSample } from '@berth/contracts';
import { ListenerError, ServiceProxy } from '@berth/service-proxy';
import type { Registry } from 'prom-client';
import { ListenAddresses, toProxiedServices } from './proxied-services.mapper';
import { ServiceCounters, serviceStatsSince } from './service-stats';

export interface NodeServiceProxyOptions {
  node: string;
  addresses: ListenAddresses;
  /** Wait before stopping an endpoint's container: long enough for every node's proxy to take it out of rotation. */
  drainDelayMs: number;
  /** Then wait at most this long for its open connections / in-flight requests. */
  drainTimeoutMs: number;
  registry?: Registry;
}

/**
 * One node's service proxy fed by NodeServices sets: applies them in order (latest wins), warns once
 * per listener that cannot bind (e.g. EACCES for a LoadBalancer port < 1024 without
 * CAP_NET_BIND_SERVICE; the nodePort keeps serving), and drains endpoints before their containers stop.
 */
export class NodeServiceProxy {
  private readonly logger = new Logger(NodeServiceProxy.name);
  readonly proxy: ServiceProxy;
  private pending: NodeServices | null = null;
  private applying: Promise<void> | null = null;
  private readonly endpointIds = new Set<string>();
  private readonly warned = new Set<string>();
  private closed = false;
  private counters: ReadonlyMap<string, ServiceCounters> = new Map();
  private lastStatsAt = Date.now();

  constructor(private readonly options: NodeServiceProxyOptions) {
    this.proxy = new ServiceProxy({ ...(options.registry ? { registry: options.registry } : {}) });
  }

  /** Takes the newest set; sets that arrive while one is being applied collapse into the last. */
  apply(set: NodeServices): Promise<void> {
    this.pending = set;
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
    await this.applying?.catch(() => undefined);
    await this.proxy.close(timeoutMs);
  }

  private async drainQueue(): Promise<void> {
    while (this.pending && !this.closed) {
      const set = this.pending;
      this.pending = null;
      const services = toProxiedServices(set, this.options.addresses);
      this.endpointIds.clear();
      for (const service of services) for (const endpoint of service.endpoints) this.endpointIds.add(endpoint.id);
      try {
        const result = await this.proxy.applyServices(services);
        this.report(result.errors);
      } catch (error) {
        this.logger.error({ msg: 'services not applied', node: this.options.node, position: set.position, error: String(error) });
      }
    }
  }

  private report(errors: Error[]): void {
    for (const error of errors) {
      const where = error instanceof ListenerError ? `${error.service}@${error.address}:${error.port}` : error.message;
      if (this.warned.has(where)) continue;
      this.warned.add(where);
      const privileged = error instanceof ListenerError && error.code === 'EACCES';
      this.logger.warn({
        msg: privileged ? 'cannot bind a privileged LoadBalancer port (needs root or CAP_NET_BIND_SERVICE); serving its nodePort only' : 'service listener not open; retried on the next update',
        node: this.options.node,
        listener: where,
        error: error.message,
      });
    }
  }
}
