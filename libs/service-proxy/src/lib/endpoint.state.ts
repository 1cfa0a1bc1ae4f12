import type { Agent } from 'http';
import { EndpointSnapshot, ProxiedEndpoint } from './proxy.types';

/** One endpoint of one service, with the live counters the balancer and drains read. */
export class EndpointState {
  ready: boolean;
  /** Draining as told by the caller's service list. */
  draining: boolean;
  /** Draining because drainEndpoint was called: sticks until the endpoint leaves the service. */
  drainRequested = false;
  /** Removed from the service (or replaced); kept only until its connections end. */
  retired = false;
  active = 0;
  total = 0;
  failedConnects = 0;
  /** Pooled upstream connections for HTTP mode, created on first use. */
  agent?: Agent;

  constructor(
    readonly serviceKey: string,
    readonly id: string,
    readonly address: string,
    readonly port: number,
    spec: ProxiedEndpoint,
    private readonly onIdle: (endpoint: EndpointState) => void,
  ) {
    this.ready = spec.ready;
    this.draining = spec.draining === true;
  }

  get eligible(): boolean {
    return this.ready && !this.draining && !this.drainRequested && !this.retired;
  }

  acquire(): void {
    this.active++;
    this.total++;
  }

  release(): void {
    this.active--;
    if (this.active === 0) this.onIdle(this);
  }

  snapshot(): EndpointSnapshot {
    return {
      id: this.id,
      address: this.address,
      port: this.port,
      ready: this.ready,
      draining: this.draining || this.drainRequested,
      active: this.active,
      total: this.total,
      failedConnects: this.failedConnects,
    };
  }
}
