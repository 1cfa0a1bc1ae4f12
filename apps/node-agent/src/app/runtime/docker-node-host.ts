import { Logger } from '@nestjs/common';
import Dockerode from 'dockerode';
import { DockerRuntime, inspectContainerNetwork, type HostPortRange, type SandboxPoolSettings } from '@berth/docker-runtime';
import { NetworkProbeRunner, type ProbeRunner } from '../probes/probe-runner';
import { kubernetesArch, type NodeFacts, type NodeHost } from './node-host';

/** A real node: this host's Docker engine; its containers join `network` (a bridge network). */
export class DockerNodeHost implements NodeHost {
  private readonly logger = new Logger(DockerNodeHost.name);
  readonly runtime: DockerRuntime;
  readonly probeRunner: ProbeRunner;

  constructor(
    readonly name: string,
    readonly address: string,
    private readonly docker: Dockerode,
    hostPortRange: HostPortRange,
    private readonly network = 'bridge',
    sandboxPool?: Omit<SandboxPoolSettings, 'onError'>,
  ) {
    const onError = (what: string, error: unknown): void => this.logger.warn({ msg: 'sandbox pool', node: name, what, error: String(error) });
    this.runtime = new DockerRuntime({ docker, hostPortRange, network, node: name, sandboxPool: { size: 0, image: '', ...sandboxPool, onError } });
    this.probeRunner = new NetworkProbeRunner(this.runtime);
  }

  /** Sweeps sandboxes a previous run left unused (even with the pool off), then keeps the pool's upkeep going. */
  async start(): Promise<void> {
    const removed = await this.runtime.startSandboxes();
    if (removed) this.logger.log({ msg: 'removed unused network sandboxes', node: this.name, removed });
  }

  async close(): Promise<void> {
    await this.runtime.closeSandboxes();
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
