import type { NodeServices } from '@berth/contracts';
import type { ProxiedService, ProxyListenerSpec } from '@berth/service-proxy';

export interface ListenAddresses {
  /** NodePorts listen here (the node's ADVERTISE_ADDRESS). */
  readonly advertise: string;
  /** LoadBalancer services also listen on their `port` here (SERVICE_LB_ADDRESS). */
  readonly loadBalancer: string;
  /** Cluster ports listen here: where this node's containers reach the host (their Docker network's gateway). Unknown until the runtime is read. */
  readonly cluster?: string;
}

/** appProtocol values that select the proxy's HTTP-aware mode. */
const HTTP_PROTOCOLS = new Set(['http', 'kubernetes.io/http']);

/**
 * What this node's proxy serves: one proxied service per TCP port (key `<ns>/<name>:<port name or
 * number>`), listening on its cluster port at the cluster address (every type), its nodePort at the
 * advertise address (NodePort, LoadBalancer) and its port at the LoadBalancer address. UDP/SCTP
 * ports, and ports with no listener, get nothing.
 */
export function toProxiedServices(set: NodeServices, addresses: ListenAddresses): ProxiedService[] {
  const out: ProxiedService[] = [];
  for (const service of set.services) {
    for (const port of service.ports) {
      if (port.protocol !== 'TCP') continue;
      const listeners: ProxyListenerSpec[] = [];
      if (addresses.cluster !== undefined && port.clusterPort !== undefined) listeners.push({ address: addresses.cluster, port: port.clusterPort, protocol: 'TCP' });
      if (service.type !== 'ClusterIP' && port.nodePort !== undefined) {
        listeners.push({ address: addresses.advertise, port: port.nodePort, protocol: 'TCP' });
        const sameSocket = addresses.loadBalancer === addresses.advertise && port.port === port.nodePort;
        if (service.type === 'LoadBalancer' && !sameSocket) listeners.push({ address: addresses.loadBalancer, port: port.port, protocol: 'TCP' });
      }
      if (listeners.length === 0) continue;
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
