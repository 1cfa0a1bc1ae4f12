import type Dockerode from 'dockerode';
import { isIPv4 } from 'node:net';
import { engineStatus, translateEngineError } from './engine-error';

/** The Docker network a node's containers run on, and the address they reach this host at. */
export interface ContainerNetwork {
  name: string;
  id: string;
  driver: string;
  /** The bridge's address on the host (e.g. 172.17.0.1): where containers reach the node's service proxy. */
  gateway: string;
}

/** The parts of `docker network inspect` this needs. */
export interface EngineNetworkInspect {
  Name: string;
  Id: string;
  Driver: string;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null } | null;
}

/** The network named does not exist, or replicas cannot use it: a node set-up problem, not a container's. */
export class ContainerNetworkUnavailable extends Error {
  override readonly name = 'ContainerNetworkUnavailable';
  constructor(
    readonly network: string,
    message: string,
  ) {
    super(message);
  }
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The first host address of an IPv4 subnet (`172.17.0.0/16` -> `172.17.0.1`): Docker's default gateway. */
export function firstHostAddress(subnet: string): string | undefined {
  const match = IPV4_CIDR.exec(subnet);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 30) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = base - (base % size) + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.');
}

/**
 * The gateway of a bridge network from its inspect document. The engine leaves IPAM's Gateway
 * out for the default bridge on some versions (20.10 does); the bridge then holds the subnet's
 * first address, as Docker assigns it.
 */
export function networkGateway(inspect: EngineNetworkInspect): string | undefined {
  const configs = inspect.IPAM?.Config ?? [];
  const declared = configs.find((c) => c.Gateway !== undefined && isIPv4(c.Gateway))?.Gateway;
  if (declared) return declared;
  for (const config of configs) {
    const first = config.Subnet ? firstHostAddress(config.Subnet) : undefined;
    if (first) return first;
  }
  return undefined;
}

/** Looks the network up on the engine. Throws ContainerNetworkUnavailable (absent, or not a bridge) or RuntimeUnavailable. */
export async function inspectContainerNetwork(docker: Dockerode, name: string): Promise<ContainerNetwork> {
  let inspect: EngineNetworkInspect;
  try {
    inspect = (await docker.getNetwork(name).inspect()) as EngineNetworkInspect;
  } catch (error) {
    if (engineStatus(error) === 404) throw new ContainerNetworkUnavailable(name, `Docker network "${name}" does not exist (create it, e.g. docker network create ${name})`);
    throw translateEngineError(error);
  }
  if (inspect.Driver !== 'bridge') {
    throw new ContainerNetworkUnavailable(name, `Docker network "${name}" uses the ${inspect.Driver} driver; replicas need a bridge network (their ports are published on the node's address)`);
  }
  const gateway = networkGateway(inspect);
  if (!gateway) throw new ContainerNetworkUnavailable(name, `Docker network "${name}" has no IPv4 gateway`);
  return { name: inspect.Name, id: inspect.Id, driver: inspect.Driver, gateway };
}
