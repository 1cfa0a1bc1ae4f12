import type { ContainerInfo, ContainerStatus, PortProtocol, PublishedPort } from './container-runtime';
import { classifyExit } from './container-exit';
import { BERTH_LABELS } from './labels';

type EnginePortBindings = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null | undefined>;

/** The part of the engine's container inspect answer that Berth reads. */
export interface EngineContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Config: { Image: string; Labels?: Record<string, string> | null };
  State: {
    Status: string;
    ExitCode: number;
    OOMKilled: boolean;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
  };
  HostConfig: { PortBindings?: EnginePortBindings | null };
  NetworkSettings?: { Ports?: EnginePortBindings | null };
}

const STOPPED = new Set(['exited', 'dead']);

export function toContainerInfo(inspect: EngineContainerInspect): ContainerInfo {
  const labels = inspect.Config.Labels ?? {};
  const state = inspect.State;
  const status = state.Status as ContainerStatus;
  // A container whose start failed stays "created" with the engine's error: it has an exit too.
  const terminated = STOPPED.has(status) || (status === 'created' && !!state.Error);
  const ports = publishedPorts(inspect);
  return {
    containerId: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    image: inspect.Config.Image,
    replicaUid: labels[BERTH_LABELS.replica] ?? '',
    replicaName: labels[BERTH_LABELS.replicaName] ?? '',
    node: labels[BERTH_LABELS.node] ?? '',
    deployment: labels[BERTH_LABELS.deployment] ?? '',
    namespace: labels[BERTH_LABELS.namespace] ?? '',
    labels,
    status,
    exit: terminated ? classifyExit({ exitCode: state.ExitCode, oomKilled: state.OOMKilled, error: state.Error || undefined }) : undefined,
    exitCode: terminated ? state.ExitCode : undefined,
    oomKilled: state.OOMKilled,
    createdAt: new Date(inspect.Created),
    startedAt: engineTime(state.StartedAt),
    finishedAt: engineTime(state.FinishedAt),
    hostPorts: hostPortMap(ports),
    ports,
  };
}

export function hostPortMap(ports: PublishedPort[]): Record<number, number> {
  const map: Record<number, number> = {};
  for (const port of ports) {
    if (map[port.containerPort] === undefined || port.protocol === 'TCP') map[port.containerPort] = port.hostPort;
  }
  return map;
}

// Live bindings when running; the configured ones (Berth always names the host port) otherwise.
function publishedPorts(inspect: EngineContainerInspect): PublishedPort[] {
  const live = inspect.NetworkSettings?.Ports;
  const bindings = live && Object.values(live).some((b) => b?.length) ? live : (inspect.HostConfig.PortBindings ?? {});
  const ports: PublishedPort[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const [portText, protocolText = 'tcp'] = key.split('/');
    for (const binding of list ?? []) {
      const hostPort = Number(binding.HostPort);
      if (!hostPort) continue;
      ports.push({
        containerPort: Number(portText),
        protocol: protocolText.toUpperCase() as PortProtocol,
        hostIp: binding.HostIp ?? '',
        hostPort,
      });
    }
  }
  return ports;
}

function engineTime(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
