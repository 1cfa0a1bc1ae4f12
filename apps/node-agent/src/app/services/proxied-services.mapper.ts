import type { NodeServices } from '@berth/contracts';
import type { ProxiedService, ProxyListenerSpec } from '@berth/service-proxy';

export interface ListenAddresses {
  /** NodePorts listen here (the node's ADVERTISE_ADDRESS). */
  readonly advertise: string;
  /** LoadBalancer services also listen on their `port` here (SERVICE_LB_ADDRESS). */
  readonly loadBalancer: string;
}

/** appProtocol values that select the proxy's HTTP-aware mode. */
const HTTP_PROTOCOLS = new Set(['http', 'kubernetes.io/http']);

/**
 * What this node's proxy serves: one proxied service per TCP port of a NodePort or LoadBalancer
 * service (key `<ns>/<name>:<port name or number>`). ClusterIP services and UDP/SCTP ports get
 * no listener here.
 */
export function toProxiedServices(set: NodeServices, addresses: ListenAddresses): ProxiedService[] {
  const out: ProxiedService[] = [];
  for (const service of set.services) {
    if (service.type === 'ClusterIP') continue;
    for (const port of service.ports) {
      if (port.protocol !== 'TCP' || port.nodePort === undefined) continue;
      const listeners: ProxyListenerSpec[] = [{ address: addresses.advertise, port: port.nodePort, protocol: 'TCP' }];
      const sameSocket = addresses.loadBalancer === addresses.advertise && port.port === port.nodePort;
      if (service.type === 'LoadBalancer' && !sameSocket) listeners.push({ address: addresses.loadBalancer, port: port.port, protocol: 'TCP' });
      out.push({
        key: `${service.namespace}/${service.name}:${port.name ?? port.port}`,
        listeners,
        targetPort: port.targetPort,
        ...(port.appProtocol !== undefined && HTTP_PROTOCOLS.has(port.appProtocol) ? { appProtocol: 'http' as const } : {}),
        balancing: service.balancing,
        endpoints: port.endpoints.map((e) => ({ id: e.id, address: e.address, port: e.port, ready: e.ready, draining: e.draining })),
      });
    }
  }
  return out;
}
