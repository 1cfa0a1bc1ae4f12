import type { ContainerRuntime } from '@berth/docker-runtime';
import type { ProbeRunner } from '../probes/probe-runner';

/** What the host offers, as read from the engine (docker info) or configured (hollow). */
export interface NodeFacts {
  cpuMilli: number;
  memoryBytes: number;
  /** Kubernetes spelling: linux, amd64, arm64. */
  os: string;
  arch: string;
  info: Record<string, string>;
  /** Where this node's containers reach the host, hence the service proxy's cluster ports (Docker: the network's gateway). */
  clusterAddress?: string;
}

/** One node this process runs: a name, an address, a runtime, and how to probe its containers. */
export interface NodeHost {
  name: string;
  address: string;
  runtime: ContainerRuntime;
  probeRunner: ProbeRunner;
  describe(): Promise<NodeFacts>;
  /** Background upkeep of the runtime (Docker: the network sandbox pool); started with the agent. */
  start?(): Promise<void>;
  /** Releases what start() holds; containers keep running. */
  close?(): Promise<void>;
}

/** Go's GOARCH names, which Kubernetes labels use. */
export function kubernetesArch(arch: string): string {
  const map: Record<string, string> = { x86_64: 'amd64', x64: 'amd64', aarch64: 'arm64', armv7l: 'arm', ia32: '386', i686: '386' };
  return map[arch] ?? arch;
}
