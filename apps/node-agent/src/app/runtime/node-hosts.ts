import Dockerode from 'dockerode';
import { HollowCluster } from '@berth/hollow-runtime';
import { hollowNodeName, type NodeAgentConfig } from '../app.config';
import { DockerNodeHost } from './docker-node-host';
import { HollowNodeHost, nthAddress } from './hollow-node-host';
import type { NodeHost } from './node-host';

/** The nodes this process runs, and how to release what they share. */
export interface NodeHostSet {
  hosts: NodeHost[];
  close(): void;
}

/** RUNTIME=docker: this host's engine, one node. RUNTIME=hollow: N simulated nodes on one shared clock. */
export function createNodeHosts(config: NodeAgentConfig, docker: Dockerode): NodeHostSet {
  if (config.RUNTIME === 'docker') {
    const sandboxPool = { size: config.SANDBOX_POOL_SIZE, image: config.SANDBOX_IMAGE, concurrency: config.SANDBOX_POOL_CONCURRENCY };
    return { hosts: [new DockerNodeHost(config.NODE_NAME, config.ADVERTISE_ADDRESS, docker, config.HOST_PORT_RANGE, config.CONTAINER_NETWORK, sandboxPool)], close: () => undefined };
  }
  const cluster = new HollowCluster({ hostPortRange: config.HOST_PORT_RANGE });
  const capacity = { cpuMilli: config.HOLLOW_CPU_MILLI, memoryBytes: config.HOLLOW_MEMORY_BYTES };
  const hosts = Array.from(
    { length: config.HOLLOW_NODES },
    (_, i) => new HollowNodeHost(hollowNodeName(config.NODE_NAME, i), nthAddress(config.ADVERTISE_ADDRESS, i), cluster, capacity),
  );
  return { hosts, close: () => cluster.close() };
}
