import { z } from 'zod';

/**
 * What node-agents and the control plane say to each other over NATS (DESIGN.md sections 4, 5).
 * Every payload is parsed with its schema on receipt (`parseMessage`), never cast.
 *
 * - heartbeat  publish  berth.node.<n>.heartbeat          NodeHeartbeat
 * - desired    request  berth.node.<n>.desired            DesiredStateRequest -> DesiredState
 *              publish  berth.node.<n>.desired.update     DesiredState (the full set, level-triggered)
 * - report     request  berth.node.<n>.report             NodeReport -> ReportAck (agent retries until acked)
 * - stats      publish  berth.node.<n>.stats              NodeStats
 * - logs       request  berth.node.<n>.logs               LogsRequest -> LogsChunk messages on the reply inbox
 * - services   request  berth.node.<n>.services           NodeServicesRequest -> NodeServices
 *              publish  berth.node.<n>.services.update    NodeServices (the full set, level-triggered)
 */

const dnsName = z.string().min(1).max(253);
const quantity = z.object({ cpuMilli: z.number().nonnegative(), memoryBytes: z.number().nonnegative() });

export const taintSchema = z.object({
  key: z.string().min(1).max(316),
  value: z.string().max(63).optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

export const nodeHeartbeatSchema = z.object({
  node: dnsName,
  /** Changes when the agent process restarts. */
  bootId: z.string().min(1).max(64),
  seq: z.number().int().nonnegative(),
  sentAt: z.number().int().nonnegative(),
  address: z.string().min(1).max(64),
  labels: z.record(z.string(), z.string()).default({}),
  taints: z.array(taintSchema).default([]),
  capacity: quantity,
  allocatable: quantity,
  info: z.record(z.string(), z.string()).default({}),
  /** Replicas the agent is running now. */
  replicas: z.number().int().nonnegative(),
});
export type NodeHeartbeat = z.infer<typeof nodeHeartbeatSchema>;

const probeSchema = z.object({
  httpGet: z.object({ path: z.string().default('/'), port: z.union([z.number().int(), z.string()]), scheme: z.enum(['HTTP', 'HTTPS']).default('HTTP') }).optional(),
  tcpSocket: z.object({ port: z.union([z.number().int(), z.string()]) }).optional(),
  exec: z.object({ command: z.array(z.string()).min(1) }).optional(),
  initialDelaySeconds: z.number().int().nonnegative().default(0),
  periodSeconds: z.number().int().positive().default(10),
  timeoutSeconds: z.number().int().positive().default(1),
  successThreshold: z.number().int().positive().default(1),
  failureThreshold: z.number().int().positive().default(3),
});
export type ProbeSpec = z.infer<typeof probeSchema>;

export const desiredContainerSchema = z.object({
  name: z.string().min(1).max(63),
  image: z.string().min(1).max(1024),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).default({}),
  ports: z
    .array(
      z.object({
        name: z.string().optional(),
        containerPort: z.number().int().min(1).max(65535),
        protocol: z.enum(['TCP', 'UDP']).default('TCP'),
        /** Kubernetes hostPort: a fixed host port instead of one from the node's dynamic range. */
        hostPort: z.number().int().min(1).max(65535).optional(),
      }),
    )
    .default([]),
  /** Limits as numbers (cpu in millicores, memory in bytes). */
  limits: z.object({ cpuMilli: z.number().nonnegative().optional(), memoryBytes: z.number().nonnegative().optional() }).default({}),
  livenessProbe: probeSchema.optional(),
  readinessProbe: probeSchema.optional(),
  startupProbe: probeSchema.optional(),
});
export type DesiredContainer = z.infer<typeof desiredContainerSchema>;

export const desiredReplicaSchema = z.object({
  uid: z.string().min(1).max(64),
  /** Pod-style name: `<deployment>-<templateHash>-<suffix>`. */
  name: dnsName,
  namespace: z.string().min(1).max(63),
  deployment: dnsName,
  templateHash: z.string().min(1).max(64),
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).default('Always'),
  terminationGracePeriodSeconds: z.number().int().nonnegative().default(30),
  /** One container per replica in this version of Berth. */
  containers: z.array(desiredContainerSchema).min(1).max(1),
});
export type DesiredReplica = z.infer<typeof desiredReplicaSchema>;

export const desiredStateRequestSchema = z.object({ node: dnsName, bootId: z.string().min(1).max(64) });
export type DesiredStateRequest = z.infer<typeof desiredStateRequestSchema>;

export const desiredStateSchema = z.object({
  node: dnsName,
  /** Log position this set reflects: an agent ignores a set older than the one it has. */
  position: z.number().int().nonnegative(),
  replicas: z.array(desiredReplicaSchema),
  /**
   * Uids of replicas bound to the node whose deletion was requested and whose stop the log has not
   * recorded yet. The agent confirms each one (a `stopped` report) once nothing runs for it, even one
   * it never heard of: a replica bound and then deleted while the agent was cut off (NATS restart,
   * agent restart) would otherwise stay Terminating for ever, as a pod does without its kubelet.
   */
  terminating: z.array(z.string().min(1).max(64)).optional(),
});
export type DesiredState = z.infer<typeof desiredStateSchema>;

export const reportKinds = ['started', 'ready', 'notReady', 'exited', 'failed', 'stopped'] as const;
export const nodeReportSchema = z.object({
  /** UUID; becomes the event id, so a report delivered twice is recorded once. */
  reportId: z.uuid(),
  node: dnsName,
  replicaUid: z.string().min(1).max(64),
  kind: z.enum(reportKinds),
  at: z.number().int().nonnegative(),
  containerId: z.string().max(128).optional(),
  hostIp: z.string().max(64).optional(),
  hostPorts: z.record(z.string(), z.number().int().min(1).max(65535)).optional(),
  exitCode: z.number().int().optional(),
  /** Kubernetes-style reason: Completed, Error, OOMKilled, ErrImageNeverPull, CreateContainerError, ... */
  reason: z.string().max(200).optional(),
  message: z.string().max(4000).optional(),
  restartCount: z.number().int().nonnegative().optional(),
});
export type NodeReport = z.infer<typeof nodeReportSchema>;

export const reportAckSchema = z.object({ reportId: z.uuid(), recorded: z.boolean(), globalPosition: z.number().int().optional() });
export type ReportAck = z.infer<typeof reportAckSchema>;

/**
 * What an HTTP-aware service proxy saw of one service since the node's previous stats message
 * (disjoint spans, so the monitor can sum them into rates).
 */
export const serviceStatsSampleSchema = z.object({
  /** `namespace/name`. */
  service: z.string().min(3).max(317),
  windowSeconds: z.number().positive().max(3_600),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  latencyAvgMs: z.number().nonnegative(),
  latencyP95Ms: z.number().nonnegative(),
  latencyMaxMs: z.number().nonnegative(),
});
export type ServiceStatsSample = z.infer<typeof serviceStatsSampleSchema>;

export const nodeStatsSchema = z.object({
  node: dnsName,
  at: z.number().int().nonnegative(),
  replicas: z.array(
    z.object({ uid: z.string().min(1).max(64), cpuPercent: z.number().nonnegative(), memoryBytes: z.number().nonnegative(), memoryLimitBytes: z.number().nonnegative().optional() }),
  ),
  /** Per-service HTTP metrics of this node's service proxy (services with appProtocol http). */
  services: z.array(serviceStatsSampleSchema).max(10_000).default([]),
});
export type NodeStats = z.infer<typeof nodeStatsSchema>;

export const logsRequestSchema = z.object({
  replicaUid: z.string().min(1).max(64),
  tailLines: z.number().int().min(0).max(100_000).optional(),
  follow: z.boolean().default(false),
  sinceSeconds: z.number().int().positive().optional(),
  limitBytes: z.number().int().positive().max(10 * 1024 * 1024).default(1024 * 1024),
});
export type LogsRequest = z.infer<typeof logsRequestSchema>;

export const logsChunkSchema = z.object({ lines: z.array(z.string()), done: z.boolean(), error: z.string().optional() });
export type LogsChunk = z.infer<typeof logsChunkSchema>;

export const nodeServicesRequestSchema = z.object({ node: dnsName, bootId: z.string().min(1).max(64) });
export type NodeServicesRequest = z.infer<typeof nodeServicesRequestSchema>;

export const serviceEndpointSchema = z.object({
  /** The replica uid. */
  id: z.string().min(1).max(64),
  node: dnsName,
  /** `address:port` = the replica's node address and the host port of the resolved targetPort. */
  address: z.string().min(1).max(64),
  port: z.number().int().min(1).max(65535),
  ready: z.boolean(),
  /** Deletion requested: keeps its connections, gets no new ones. */
  draining: z.boolean(),
});
export type ServiceEndpoint = z.infer<typeof serviceEndpointSchema>;

export const nodeServicePortSchema = z.object({
  name: z.string().max(63).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']),
  appProtocol: z.string().max(316).optional(),
  port: z.number().int().min(1).max(65535),
  targetPort: z.union([z.number().int().min(1).max(65535), z.string().min(1).max(15)]),
  /** Set for NodePort and LoadBalancer services. */
  nodePort: z.number().int().min(1).max(65535).optional(),
  /** The proxy listens on it at the node's container-facing address (CLUSTER_PORT_RANGE); absent for services recorded before cluster ports. */
  clusterPort: z.number().int().min(1).max(65535).optional(),
  endpoints: z.array(serviceEndpointSchema),
});
export type NodeServicePort = z.infer<typeof nodeServicePortSchema>;

export const nodeServiceSchema = z.object({
  namespace: z.string().min(1).max(63),
  name: dnsName,
  type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']),
  /** From the annotation `berth.io/load-balancing`. */
  balancing: z.enum(['round-robin', 'least-connections']),
  ports: z.array(nodeServicePortSchema),
});
export type NodeService = z.infer<typeof nodeServiceSchema>;

/** Every service of the cluster with its endpoints anywhere in the cluster (the same for every node). */
export const nodeServicesSchema = z.object({
  node: dnsName,
  /** Log position this set reflects: an agent ignores a set older than the one it has. */
  position: z.number().int().nonnegative(),
  services: z.array(nodeServiceSchema),
});
export type NodeServices = z.infer<typeof nodeServicesSchema>;

/** A message that failed its schema: names each bad field. */
export class InvalidMessage extends Error {
  override readonly name = 'InvalidMessage';
  constructor(
    readonly subject: string,
    readonly issues: { field: string; message: string }[],
  ) {
    super(`invalid message on ${subject}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

/** Parses a NATS payload (bytes or string) with its schema. Throws InvalidMessage. */
export function parseMessage<S extends z.ZodType>(schema: S, subject: string, payload: Uint8Array | string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder().decode(payload));
  } catch {
    throw new InvalidMessage(subject, [{ field: '(body)', message: 'not JSON' }]);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidMessage(subject, result.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })));
  }
  return result.data;
}
