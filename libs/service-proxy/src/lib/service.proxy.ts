import type { Socket } from 'net';
import type { Registry } from 'prom-client';
import { EndpointState } from './endpoint.state';
import { HttpForwardOptions } from './http.forwarder';
import { validateProxiedServices } from './proxied-service.validation';
import { DuplicateListener, ListenerError, ListenerFailed, ProxyClosed } from './proxy.errors';
import { listenerId, ProxyListener } from './proxy.listener';
import {
  ApplyResult,
  CloseResult,
  DrainResult,
  ListenerStatus,
  ProxiedService,
  ServiceMetricsSnapshot,
  ServiceProxyOptions,
} from './proxy.types';
import { PrometheusExporter } from './prometheus.exporter';
import { ServiceRuntime } from './service.runtime';

interface DesiredListener {
  service: string;
  address: string;
  port: number;
}

/**
 * The node's service proxy: listens on every Service's ports and forwards to ready endpoints
 * anywhere in the cluster. Level-triggered: hand it the full service list whenever it changes.
 */
export class ServiceProxy {
  private readonly services = new Map<string, ServiceRuntime>();
  private readonly listeners = new Map<string, ProxyListener>();
  private readonly failedListeners = new Map<string, ListenerStatus>();
  private readonly connections = new Set<Socket>();
  /** Every endpoint state by replica id, removed ones included until their connections end. */
  private readonly endpointsById = new Map<string, Set<EndpointState>>();
  private readonly drainRequested = new Set<string>();
  private readonly drainWaiters = new Map<string, Set<() => void>>();
  private readonly forward: HttpForwardOptions;
  private readonly windowMs: number;
  private readonly httpKeepAliveTimeoutMs: number;
  private readonly metricPrefix: string;
  private exporter?: PrometheusExporter;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private onAllClosed?: () => void;

  constructor(options: ServiceProxyOptions = {}) {
    this.forward = {
      connectTimeoutMs: options.connectTimeoutMs ?? 1000,
      maxConnectAttempts: Math.max(1, options.maxConnectAttempts ?? 3),
      upstreamIdleTimeoutMs: options.upstreamIdleTimeoutMs ?? 4000,
      maxSocketsPerEndpoint: options.maxSocketsPerEndpoint ?? 256,
    };
    this.windowMs = options.metricsWindowMs ?? 10_000;
    this.httpKeepAliveTimeoutMs = options.httpKeepAliveTimeoutMs ?? 5000;
    this.metricPrefix = options.metricPrefix ?? 'berth_proxy_';
    if (options.registry !== undefined) this.registerMetrics(options.registry);
  }

  /**
   * Makes the proxy match `services`: opens new listeners, closes removed ones (their connections
   * finish), updates endpoints in place. Calls are serialized. A listener that cannot bind is
   * reported in `errors` and retried by the next call; throws InvalidProxiedService before changing anything.
   */
  async applyServices(services: ProxiedService[]): Promise<ApplyResult> {
    if (this.closed) throw new ProxyClosed();
    validateProxiedServices(services);
    const run = this.queue.then(() => this.apply(services));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops new connections to endpoint `id` in every service and resolves once its open
   * connections (L4) or in-flight requests (HTTP) are gone, or at the timeout with `drained: false`.
   * The mark holds until the endpoint leaves the service list.
   */
  drainEndpoint(id: string, timeoutMs: number): Promise<DrainResult> {
    const started = Date.now();
    const states = this.endpointsById.get(id);
    if (states === undefined) return Promise.resolve({ id, drained: true, remaining: 0, waitedMs: 0 });
    this.drainRequested.add(id);
    for (const state of states) state.drainRequested = true;
    for (const service of this.services.values()) service.refreshEligible();
    this.closeIdleUpstreams(id);
    if (this.activeFor(id) === 0) return Promise.resolve({ id, drained: true, remaining: 0, waitedMs: Date.now() - started });
    return new Promise((resolve) => {
      let waiters = this.drainWaiters.get(id);
      if (waiters === undefined) this.drainWaiters.set(id, (waiters = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        waiters?.delete(done);
        if (waiters?.size === 0) this.drainWaiters.delete(id);
        const remaining = this.activeFor(id);
        resolve({ id, drained: remaining === 0, remaining, waitedMs: Date.now() - started });
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
  }

  metricsSnapshot(): ServiceMetricsSnapshot[] {
    return [...this.services.values()].map((s) => s.snapshot());
  }

  serviceSnapshot(key: string): ServiceMetricsSnapshot | undefined {
    return this.services.get(key)?.snapshot();
  }

  listenerStatus(): ListenerStatus[] {
    const open: ListenerStatus[] = [...this.listeners.values()].map((l) => ({ service: l.serviceKey, address: l.address, port: l.port, state: 'listening' }));
    return [...open, ...this.failedListeners.values()];
  }

  /** Exposes the proxy's metrics in a prom-client registry (one proxy per registry: names are fixed). */
  registerMetrics(registry: Registry): void {
    if (this.exporter !== undefined) return;
    this.exporter = new PrometheusExporter(registry, this.metricPrefix, () => this.services.values());
  }

  /** Stops every listener, lets connections finish for up to timeoutMs, then cuts the rest. */
  async close(timeoutMs = 10_000): Promise<CloseResult> {
    if (!this.closed) {
      this.closed = true;
      await this.queue;
    }
    for (const listener of this.listeners.values()) listener.close();
    this.listeners.clear();
    this.failedListeners.clear();
    if (this.connections.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.onAllClosed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.onAllClosed = undefined;
    }
    const destroyed = this.connections.size;
    for (const socket of this.connections) socket.destroy();
    for (const service of this.services.values()) service.remove();
    for (const states of this.endpointsById.values()) {
      for (const state of states) state.agent?.destroy();
    }
    return { graceful: destroyed === 0, destroyed };
  }

  private async apply(services: ProxiedService[]): Promise<ApplyResult> {
    const errors: ListenerError[] = [];
    const desired = new Map<string, DesiredListener>();
    for (const spec of services) {
      for (const l of spec.listeners) {
        const id = listenerId(l.address, l.port);
        const holder = desired.get(id);
        if (holder !== undefined) errors.push(new DuplicateListener(spec.key, l.address, l.port, holder.service));
        else desired.set(id, { service: spec.key, address: l.address, port: l.port });
      }
    }

    for (const spec of services) {
      const current = this.services.get(spec.key);
      if (current !== undefined) current.update(spec);
      else {
        const runtime = new ServiceRuntime(spec, this.windowMs, {
          onEndpointCreated: (state) => this.endpointCreated(state),
          onEndpointIdle: (state) => this.endpointIdle(state),
          isDrainRequested: (id) => this.drainRequested.has(id),
        });
        this.services.set(spec.key, runtime);
        this.exporter?.attach(runtime);
      }
    }
    const keep = new Set(services.map((s) => s.key));
    for (const [key, runtime] of this.services) {
      if (keep.has(key)) continue;
      runtime.remove();
      this.services.delete(key);
      this.exporter?.detach(runtime);
    }

    const closed: ListenerStatus[] = [];
    for (const [id, listener] of this.listeners) {
      const want = desired.get(id);
      if (want !== undefined) {
        listener.serviceKey = want.service;
        continue;
      }
      listener.close();
      this.listeners.delete(id);
      closed.push({ service: listener.serviceKey, address: listener.address, port: listener.port, state: 'listening' });
    }
    this.failedListeners.clear();

    const toOpen = [...desired.entries()].filter(([id]) => !this.listeners.has(id));
    const opened: ListenerStatus[] = [];
    await Promise.all(
      toOpen.map(async ([id, want]) => {
        const listener = new ProxyListener(want.address, want.port, want.service, {
          resolve: (key) => this.services.get(key),
          track: (socket) => this.connections.add(socket),
          untrack: (socket) => this.untrack(socket),
          forward: this.forward,
          httpKeepAliveTimeoutMs: this.httpKeepAliveTimeoutMs,
        });
        try {
          await listener.open();
          this.listeners.set(id, listener);
          opened.push({ service: want.service, address: want.address, port: want.port, state: 'listening' });
        } catch (err) {
          const error = err instanceof ListenerError ? err : new ListenerFailed(want.service, want.address, want.port, undefined, String(err));
          errors.push(error);
          this.failedListeners.set(id, { service: want.service, address: want.address, port: want.port, state: 'failed', error });
        }
      }),
    );
    for (const e of errors) {
      if (e instanceof DuplicateListener) {
        this.failedListeners.set(`${listenerId(e.address, e.port)}|${e.service}`, { service: e.service, address: e.address, port: e.port, state: 'failed', error: e });
      }
    }
    return { opened, closed, errors, services: this.services.size };
  }

  private untrack(socket: Socket): void {
    this.connections.delete(socket);
    if (this.connections.size === 0) this.onAllClosed?.();
  }

  private endpointCreated(state: EndpointState): void {
    let states = this.endpointsById.get(state.id);
    if (states === undefined) this.endpointsById.set(state.id, (states = new Set()));
    states.add(state);
  }

  private endpointIdle(state: EndpointState): void {
    if (state.retired) {
      const states = this.endpointsById.get(state.id);
      states?.delete(state);
      if (states?.size === 0) {
        this.endpointsById.delete(state.id);
        this.drainRequested.delete(state.id);
      }
    } else if (state.drainRequested && state.agent !== undefined) {
      state.agent.destroy();
      state.agent = undefined;
    }
    const waiters = this.drainWaiters.get(state.id);
    if (waiters === undefined || this.activeFor(state.id) > 0) return;
    for (const done of [...waiters]) done();
  }

  private activeFor(id: string): number {
    let active = 0;
    for (const state of this.endpointsById.get(id) ?? []) active += state.active;
    return active;
  }

  /** Pooled keep-alive sockets to a draining endpoint would otherwise hold it open. */
  private closeIdleUpstreams(id: string): void {
    for (const state of this.endpointsById.get(id) ?? []) {
      const agent = state.agent;
      if (agent === undefined) continue;
      if (state.active === 0) {
        agent.destroy();
        state.agent = undefined;
        continue;
      }
      for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    }
  }
}
