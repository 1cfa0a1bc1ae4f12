import { z } from 'zod';

/**
 * The event catalogue: every event type the log accepts, with the schema of its data.
 * The event store refuses an event whose type is unknown or whose data fails its schema,
 * before anything reaches the database.
 */
const manifest = z.record(z.string(), z.unknown());
const name = z.string().min(1).max(253);
const namespace = z.string().min(1).max(63);
const quantity = z.object({ cpuMilli: z.number().nonnegative(), memoryBytes: z.number().nonnegative() });
const taint = z.object({
  key: z.string(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});
const reasoned = z.object({ reason: z.string().max(200), message: z.string().max(4000).optional() });

const resourceCreated = z.object({ manifest });
const resourceDeleted = z.object({ reason: z.string().max(200).optional() });

export const eventCatalogue = {
  NamespaceCreated: resourceCreated,
  /** Labels or annotations of a namespace changed (apply of an existing Namespace). */
  NamespaceUpdated: resourceCreated,
  NamespaceDeleted: resourceDeleted,

  DeploymentCreated: resourceCreated,
  DeploymentUpdated: resourceCreated,
  DeploymentScaled: z.object({ replicas: z.number().int().min(0), reason: z.string().max(4000).optional() }),
  DeploymentPaused: z.object({}),
  DeploymentResumed: z.object({}),
  DeploymentRolledBack: z.object({ toRevision: z.number().int().min(0) }),
  DeploymentRevisionCreated: z.object({ revision: z.number().int().min(1), templateHash: z.string().min(1), template: manifest }),
  DeploymentStatusChanged: z.object({ status: manifest }),
  DeploymentDeleted: resourceDeleted,

  ReplicaCreated: z.object({
    namespace,
    deployment: name,
    revision: z.number().int().min(1),
    templateHash: z.string().min(1),
    template: manifest,
    priority: z.number().int().default(0),
  }),
  ReplicaScheduled: z.object({ node: name }),
  ReplicaUnschedulable: z.object({ message: z.string().max(4000) }),
  ReplicaStarted: z.object({
    node: name,
    containerId: z.string().min(1),
    hostPorts: z.record(z.string(), z.number().int().min(1).max(65535)),
    hostIp: z.string().min(1),
  }),
  ReplicaReady: z.object({ node: name }),
  ReplicaNotReady: z.object({ node: name, reason: z.string().max(200).optional() }),
  ReplicaExited: z.object({
    node: name,
    exitCode: z.number().int(),
    reason: z.string().max(200),
    restartCount: z.number().int().min(0),
  }),
  ReplicaFailed: reasoned.extend({ node: name.optional() }),
  ReplicaDeletionRequested: z.object({ reason: z.string().max(200) }),
  ReplicaStopped: z.object({ node: name }),
  ReplicaDeleted: resourceDeleted,

  NodeRegistered: z.object({
    labels: z.record(z.string(), z.string()),
    taints: z.array(taint),
    capacity: quantity,
    allocatable: quantity,
    address: z.string().min(1),
    info: z.record(z.string(), z.string()),
    /** The agent process that registered; a new one means the agent restarted. */
    bootId: z.string().min(1).max(64).optional(),
  }),
  NodeReady: z.object({}),
  NodeNotReady: z.object({ reason: z.string().max(200) }),
  NodeLost: z.object({ reason: z.string().max(200) }),
  NodeCordoned: z.object({}),
  NodeUncordoned: z.object({}),
  NodeDrainRequested: z.object({}),

  ServiceCreated: resourceCreated,
  ServiceUpdated: resourceCreated,
  ServiceDeleted: resourceDeleted,

  HorizontalPodAutoscalerCreated: resourceCreated,
  HorizontalPodAutoscalerUpdated: resourceCreated,
  HorizontalPodAutoscalerDeleted: resourceDeleted,
  HorizontalPodAutoscalerDecided: z.object({
    currentReplicas: z.number().int().min(0),
    desiredReplicas: z.number().int().min(0),
    reason: z.string().max(4000),
    /** The unstabilized recommendation of this evaluation: a restarted autoscaler rebuilds its history from it. */
    recommendation: z.number().int().min(0).optional(),
    /** autoscaling/v2 MetricStatus of each metric at decision time. */
    metrics: z.array(manifest).max(100).optional(),
  }),
  /** The HPA's status (currentMetrics, replicas, lastScaleTime, conditions) changed; appended only on change. */
  HorizontalPodAutoscalerStatusChanged: z.object({ status: manifest }),

  TokenCreated: z.object({
    role: z.enum(['admin', 'edit', 'view']),
    namespace: z.string().optional(),
    hash: z.string(),
    /** A label for people (`--name`); the gateway shows it, it grants nothing. */
    name: z.string().max(253).optional(),
  }),
  TokenRevoked: z.object({}),
} as const;

export type EventType = keyof typeof eventCatalogue;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalogue)[T]>;

export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(eventCatalogue, type);
}
