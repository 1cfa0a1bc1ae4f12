import { ClusterState, ReplicaState, ServicePortView, ServiceState } from './cluster-state.model';
import { asRecord, podSpecOf } from './deployment-spec';

export interface ServiceEndpointView {
  /** The replica uid. */
  readonly id: string;
  readonly node: string;
  /** `hostIp:hostPort` of the resolved target port. */
  readonly address: string;
  readonly port: number;
  readonly ready: boolean;
  /** Its deletion was requested: finishes what it has, gets nothing new. */
  readonly draining: boolean;
}

/** True when every selector label is on the replica's template (an empty selector selects nothing). */
export function selectorMatches(selector: Readonly<Record<string, string>>, replica: ReplicaState): boolean {
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  const labels = asRecord(asRecord(replica.template['metadata'])?.['labels']) ?? {};
  return entries.every(([key, value]) => labels[key] === value);
}

/** The container port a targetPort means on this replica: a number as is, a name via its containers' port names. */
export function resolveTargetPort(replica: ReplicaState, targetPort: number | string): number | undefined {
  if (typeof targetPort === 'number') return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  const containers = podSpecOf(replica.template)['containers'];
  for (const container of Array.isArray(containers) ? containers : []) {
    const ports = asRecord(container)?.['ports'];
    for (const port of Array.isArray(ports) ? ports : []) {
      const p = asRecord(port);
      if (p?.['name'] === targetPort && typeof p['containerPort'] === 'number') return p['containerPort'];
    }
  }
  return undefined;
}

/**
 * Endpoints of one service port: replicas of the service's namespace whose labels match its
 * selector, that are ready and running, and publish the target port on their node. A
 * deletion-requested replica that is still ready stays, marked draining, until it stops.
 */
export function serviceEndpoints(state: ClusterState, service: ServiceState, port: ServicePortView): ServiceEndpointView[] {
  const out: ServiceEndpointView[] = [];
  for (const replica of state.replicas.values()) {
    if (replica.namespace !== service.namespace || !replica.ready || replica.stopped) continue;
    if (replica.node === undefined || replica.hostIp === undefined || !selectorMatches(service.selector, replica)) continue;
    const containerPort = resolveTargetPort(replica, port.targetPort);
    const hostPort = containerPort === undefined ? undefined : replica.hostPorts?.[String(containerPort)];
    if (hostPort === undefined) continue;
    out.push({ id: replica.uid, node: replica.node, address: replica.hostIp, port: hostPort, ready: true, draining: replica.deletionRequested });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
