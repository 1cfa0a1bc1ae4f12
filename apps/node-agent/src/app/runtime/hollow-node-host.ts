import { arch, platform } from 'node:os';
import type { ContainerRuntime } from '@berth/docker-runtime';
import type { HollowCluster } from '@berth/hollow-runtime';
import { ExecProbeRunner, type ProbeRunner } from '../probes/probe-runner';
import { kubernetesArch, type NodeFacts, type NodeHost } from './node-host';

/** A simulated node of a HollowCluster (Kubemark-style), driven by the same agent code as a real one. */
export class HollowNodeHost implements NodeHost {
  readonly runtime: ContainerRuntime;
  readonly probeRunner: ProbeRunner;

  constructor(
    readonly name: string,
    readonly address: string,
    cluster: HollowCluster,
    private readonly capacity: { cpuMilli: number; memoryBytes: number },
  ) {
    this.runtime = cluster.node(name, { memoryBytes: capacity.memoryBytes });
    this.probeRunner = new ExecProbeRunner(this.runtime);
  }

  async describe(): Promise<NodeFacts> {
    return {
      ...this.capacity,
      os: platform(),
      arch: kubernetesArch(arch()),
      info: { runtime: 'hollow', dockerVersion: 'hollow', os: 'hollow', arch: kubernetesArch(arch()) },
    };
  }
}

/** `base` + index as IPv4 (127.0.0.1 + 2 = 127.0.0.3): each hollow node gets its own address, hence its own port range. */
export function nthAddress(base: string, index: number): string {
  const n = base.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) + index;
  if (n > 0xffffffff) throw new RangeError(`no IPv4 address ${index} after ${base}`);
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
