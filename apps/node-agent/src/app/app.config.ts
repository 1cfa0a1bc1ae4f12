import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { commonConfigShape, ConfigError, env, loadConfig } from '@berth/config';
import { parseMemoryBytes } from '@berth/contracts';
import { parseNodeLabels, parseNodeTaints } from './registration/node-labels';

const nodeName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lowercase letters, digits, "-")')
  .max(63);

/** A setting parsed by a function that throws with a readable message. */
function parsed<T>(fallback: string, parse: (text: string) => T) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    });
}

/** Bytes as an integer or a Kubernetes quantity ("512Mi"). */
const bytes = (fallback: number) =>
  parsed(String(fallback), (text) => {
    const value = /^\d+$/.test(text) ? Number(text) : parseMemoryBytes(text);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`must be a non-negative byte count, got "${text}"`);
    return value;
  });

const portRange = parsed('20000-29999', (text) => {
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  const from = Number(match?.[1]);
  const to = Number(match?.[2]);
  if (!match || from < 1 || to > 65535 || from > to) throw new Error(`must be "from-to" within 1-65535, got "${text}"`);
  return { from, to };
});

export const nodeAgentConfigShape = {
  ...commonConfigShape,
  PORT: env.port(8084),
  /** Name this node registers under; defaults to the host name. */
  NODE_NAME: nodeName.default(hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63)),
  /** Address that published container ports bind to and that other nodes reach them on. */
  ADVERTISE_ADDRESS: z.ipv4().default('127.0.0.1'),
  DOCKER_SOCKET: env.string('/var/run/docker.sock'),
  /** Docker bridge network the replicas join; the service proxy serves cluster ports at its gateway. One per node-agent when several share an engine. */
  CONTAINER_NETWORK: z
    .string()
    .min(1)
    .max(255)
    .default('bridge')
    .refine((name) => name !== 'host' && name !== 'none' && !name.startsWith('container:'), 'must name a bridge network (replicas publish their ports), not host, none or container:<id>'),
  RUNTIME: z.enum(['docker', 'hollow']).default('docker'),
  HEARTBEAT_INTERVAL_MS: env.int(1_000, 50),
  /** `k=v,k=v`, added to kubernetes.io/hostname, kubernetes.io/os and kubernetes.io/arch. */
  NODE_LABELS: parsed('', parseNodeLabels),
  /** `key=value:Effect,key:Effect`. */
  NODE_TAINTS: parsed('', parseNodeTaints),
  /** Held back from the scheduler for the system (kubelet's system-reserved). */
  RESERVED_CPU_MILLI: env.int(0, 0),
  RESERVED_MEMORY_BYTES: bytes(0),
  /** Outbox journals live here, one sub-directory per node. */
  STATE_DIR: env.string(join(tmpdir(), 'berth-node-agent')),
  STATS_INTERVAL_MS: env.int(5_000, 100),
  /** Full relist of the runtime, a safety net under the event stream. */
  RESYNC_INTERVAL_MS: env.int(30_000, 1_000),
  /** Container creations and removals in flight at once, per node. */
  RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  RESTART_BACKOFF_INITIAL_MS: env.int(100, 1),
  RESTART_BACKOFF_MAX_MS: env.int(10_000, 1),
  /** A container that ran this long before it exited restarts after the initial delay again. */
  RESTART_BACKOFF_RESET_MS: env.int(10_000, 0),
  HOST_PORT_RANGE: portRange,
  /** Network sandboxes kept ready per port signature (Docker runtime only); 0 = off. Replicas then start without network set-up on their path. */
  SANDBOX_POOL_SIZE: z.coerce.number().int().min(0).max(256).default(0),
  /** Local image of the sandboxes: its entry must sleep until SIGTERM (tools/images builds berth/pause:test). */
  SANDBOX_IMAGE: z.string().min(1).default('berth/pause:test'),
  /** Sandboxes created at once while refilling the pool. */
  SANDBOX_POOL_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  DESIRED_REQUEST_TIMEOUT_MS: env.int(5_000, 100),
  DESIRED_RETRY_MAX_MS: env.int(5_000, 50),
  REPORT_TIMEOUT_MS: env.int(5_000, 100),
  REPORT_RETRY_MAX_MS: env.int(5_000, 50),
  /** Reports awaiting their ack at once (one per replica, so each replica's reports stay in order). */
  REPORT_MAX_IN_FLIGHT: env.int(16, 1),
  LOGS_FOLLOW_TIMEOUT_MS: env.int(10 * 60_000, 1_000),
  /** How often a log follow checks that its requester still listens (it stops when not). */
  LOGS_FOLLOW_CHECK_MS: env.int(5_000, 100),
  /** Run the service proxy (Docker runtime only; hollow nodes never do). */
  SERVICE_PROXY_ENABLED: env.bool(true),
  /** Where LoadBalancer services listen on their `port`; default ADVERTISE_ADDRESS. */
  SERVICE_LB_ADDRESS: z.ipv4().optional(),
  /** Before a service endpoint's container stops: time for every node's proxy to take it out of rotation. */
  SERVICE_DRAIN_DELAY_MS: env.int(1_000, 0),
  /** Then at most this long for its open connections / in-flight requests through this node's proxy. */
  SERVICE_DRAIN_TIMEOUT_MS: env.int(5_000, 0),
  SERVICES_REQUEST_TIMEOUT_MS: env.int(5_000, 100),
  /** Before creating a container, wait at most this long for a services set as new as its replica's scheduling, so its service variables include every service that existed then. */
  SERVICE_ENV_WAIT_MS: env.int(2_000, 0),
  /** RUNTIME=hollow: simulated nodes `<NODE_NAME>-<i>` in this one process (or `--hollow-nodes N`). */
  HOLLOW_NODES: z.coerce.number().int().min(1).max(10_000).default(1),
  HOLLOW_CPU_MILLI: env.int(8_000, 1),
  HOLLOW_MEMORY_BYTES: bytes(16 * 1024 ** 3),
};

export type NodeAgentConfig = ReturnType<typeof loadNodeAgentConfig>;

export function loadNodeAgentConfig(source: Record<string, string | undefined> = process.env) {
  const config = loadConfig(nodeAgentConfigShape, source);
  const problems: { variable: string; message: string }[] = [];
  if (config.RESTART_BACKOFF_MAX_MS < config.RESTART_BACKOFF_INITIAL_MS) {
    problems.push({ variable: 'RESTART_BACKOFF_MAX_MS', message: `must be >= RESTART_BACKOFF_INITIAL_MS (${config.RESTART_BACKOFF_INITIAL_MS})` });
  }
  if (config.RUNTIME !== 'hollow' && source['HOLLOW_NODES'] && config.HOLLOW_NODES !== 1) {
    problems.push({ variable: 'HOLLOW_NODES', message: 'only RUNTIME=hollow hosts several nodes' });
  }
  if (config.RUNTIME === 'hollow') {
    const longest = hollowNodeName(config.NODE_NAME, config.HOLLOW_NODES - 1);
    if (longest.length > 63) problems.push({ variable: 'NODE_NAME', message: `hollow node names like "${longest}" exceed 63 characters` });
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

export function hollowNodeName(base: string, index: number): string {
  return `${base}-${index}`;
}

/** `--hollow-nodes N` (or `--hollow-nodes=N`) on the command line wins over HOLLOW_NODES. */
export function configSource(argv: string[], environment: Record<string, string | undefined>): Record<string, string | undefined> {
  const source = { ...environment };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--hollow-nodes') source['HOLLOW_NODES'] = argv[i + 1] ?? 'missing';
    else if (arg.startsWith('--hollow-nodes=')) source['HOLLOW_NODES'] = arg.slice('--hollow-nodes='.length);
  }
  if (source['HOLLOW_NODES'] !== environment['HOLLOW_NODES'] && source['RUNTIME'] === undefined) source['RUNTIME'] = 'hollow';
  return source;
}
