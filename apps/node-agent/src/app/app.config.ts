import { hostname } from 'node:os';
import { z } from 'zod';
import { commonConfigShape, env, loadConfig } from '@berth/config';

const nodeName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lowercase letters, digits, "-")')
  .max(63);

export const nodeAgentConfigShape = {
  ...commonConfigShape,
  PORT: env.port(8084),
  /** Name this node registers under; defaults to the host name. */
  NODE_NAME: nodeName.default(hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63)),
  /** Address that published container ports bind to and that other nodes reach them on. */
  ADVERTISE_ADDRESS: z.ipv4().default('127.0.0.1'),
  DOCKER_SOCKET: env.string('/var/run/docker.sock'),
  RUNTIME: z.enum(['docker', 'hollow']).default('docker'),
  HEARTBEAT_INTERVAL_MS: env.int(1_000, 50),
};

export type NodeAgentConfig = ReturnType<typeof loadNodeAgentConfig>;

export function loadNodeAgentConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(nodeAgentConfigShape, source);
}
