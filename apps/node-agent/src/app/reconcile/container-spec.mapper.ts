import type { DesiredReplica } from '@berth/contracts';
import { CreateContainerConfigError, type ContainerSpec, type HostPortRange } from '@berth/docker-runtime';
import { AGENT_LABELS } from './container-labels';

export interface NodePlacement {
  node: string;
  /** The advertise address ports are published on. */
  hostIp: string;
  hostPortRange: HostPortRange;
}

/**
 * A desired replica's (single) container as the runtime takes it. `serviceEnv` (the services'
 * variables) comes first: the container's own env wins, as in Kubernetes. Throws CreateContainerConfigError.
 */
export function toContainerSpec(replica: DesiredReplica, attempt: number, placement: NodePlacement, serviceEnv: Record<string, string> = {}): ContainerSpec {
  const container = replica.containers[0];
  const fixed = container.ports.filter((port) => port.hostPort !== undefined);
  let hostPortRange = placement.hostPortRange;
  if (fixed.length) {
    // The runtime allocates every port of a container from one range, so a fixed port needs a container of one port.
    if (container.ports.length > 1) {
      throw new CreateContainerConfigError(`hostPort: a container with hostPort may declare only one port (this one declares ${container.ports.length})`);
    }
    hostPortRange = { from: fixed[0].hostPort as number, to: fixed[0].hostPort as number };
  }
  return {
    replicaUid: replica.uid,
    name: replica.name,
    namespace: replica.namespace,
    deployment: replica.deployment,
    node: placement.node,
    attempt,
    image: container.image,
    command: container.command,
    args: container.args,
    env: { ...serviceEnv, ...container.env },
    ports: container.ports.map((port) => ({ name: port.name, containerPort: port.containerPort, protocol: port.protocol })),
    cpuMilli: container.limits.cpuMilli || undefined,
    memoryBytes: container.limits.memoryBytes ? Math.round(container.limits.memoryBytes) : undefined,
    hostIp: placement.hostIp,
    hostPortRange,
    labels: { [AGENT_LABELS.gracePeriod]: String(replica.terminationGracePeriodSeconds), [AGENT_LABELS.templateHash]: replica.templateHash },
  };
}

/** Port name -> containerPort, for probes that name their port. */
export function namedPorts(replica: DesiredReplica): Record<string, number> {
  const named: Record<string, number> = {};
  for (const port of replica.containers[0].ports) if (port.name) named[port.name] = port.containerPort;
  return named;
}
