import { ClusterState, serviceEndpoints, ServiceState } from '@berth/cluster-state';
import { NodeService } from '@berth/contracts';

export const LOAD_BALANCING_ANNOTATION = 'berth.io/load-balancing';

function serviceView(state: ClusterState, service: ServiceState): NodeService {
  return {
    namespace: service.namespace,
    name: service.name,
    type: service.type,
    balancing: service.annotations[LOAD_BALANCING_ANNOTATION] === 'least-connections' ? 'least-connections' : 'round-robin',
    ports: service.ports.map((port) => ({
      ...(port.name !== undefined ? { name: port.name } : {}),
      protocol: port.protocol,
      ...(port.appProtocol !== undefined ? { appProtocol: port.appProtocol } : {}),
      port: port.port,
      targetPort: port.targetPort,
      ...(port.nodePort !== undefined ? { nodePort: port.nodePort } : {}),
      ...(port.clusterPort !== undefined ? { clusterPort: port.clusterPort } : {}),
      endpoints: serviceEndpoints(state, service, port),
    })),
  };
}

/** Every service of the cluster with its endpoints, at the state's current position (the same for every node). */
export function servicesOf(state: ClusterState): NodeService[] {
  return [...state.services.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((service) => serviceView(state, service));
}

/** The NodeServices message for one node, from the services serialized once for all nodes. */
export function nodeServicesJson(node: string, position: number, servicesJson: string): string {
  return `{"node":${JSON.stringify(node)},"position":${position},"services":${servicesJson}}`;
}
