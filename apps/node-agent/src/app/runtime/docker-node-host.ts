import Dockerode from 'dockerode';
import { DockerRuntime, inspectContainerNetwork, type ContainerRuntime, type HostPortRange } from '@berth/docker-runtime';
import { NetworkProbeRunner, type ProbeRunner } from '../probes/probe-runner';
import { kubernetesArch, type NodeFacts, type NodeHost } from './node-host';

/** A real node: this host's Docker engine; its containers join `network` (a bridge network). */
export class DockerNodeHost implements NodeHost {
  readonly runtime: ContainerRuntime;
  readonly probeRunner: ProbeRunner;

  constructor(
    readonly name: string,
    readonly address: string,
    private readonly docker: Dockerode,
    hostPortRange: HostPortRange,
    private readonly network = 'bridge',
  ) {
    this.runtime = new DockerRuntime({ docker, hostPortRange, network });
    this.probeRunner = new NetworkProbeRunner(this.runtime);
  }

  async describe(): Promise<NodeFacts> {
    const network = await inspectContainerNetwork(this.docker, this.network);
    const info = (await this.docker.info()) as { NCPU: number; MemTotal: number; ServerVersion: string; OperatingSystem: string; OSType: string; Architecture: string; KernelVersion: string };
    return {
      cpuMilli: info.NCPU * 1000,
      memoryBytes: info.MemTotal,
      os: info.OSType || 'linux',
      arch: kubernetesArch(info.Architecture),
      info: {
        runtime: 'docker',
        dockerVersion: info.ServerVersion,
        os: info.OperatingSystem,
        arch: kubernetesArch(info.Architecture),
        kernelVersion: info.KernelVersion,
        network: network.name,
      },
      clusterAddress: network.gateway,
    };
  }
}
