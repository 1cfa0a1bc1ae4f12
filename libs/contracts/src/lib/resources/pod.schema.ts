import { z } from 'zod';
import { isDNS1123Subdomain } from './name-validation.util';
import { namespacedObjectMetaSchema } from './object-meta.schema';
import { podSpecSchema } from './pod-spec.schema';
import {
  CONDITION_STATUSES,
  integer,
  nonNegativeInt,
  orEmpty,
  timestamp,
} from './schema-kit.util';

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

export const containerStateSchema = z.object({
  waiting: z.object({ reason: z.string().optional(), message: z.string().optional() }).optional(),
  running: z.object({ startedAt: timestamp().optional() }).optional(),
  terminated: z
    .object({
      exitCode: integer(),
      signal: integer().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      startedAt: timestamp().optional(),
      finishedAt: timestamp().optional(),
      containerID: z.string().optional(),
    })
    .optional(),
});
export type ContainerState = z.output<typeof containerStateSchema>;

export const containerStatusSchema = z.object({
  name: z.string(),
  image: z.string().optional(),
  imageID: z.string().optional(),
  containerID: z.string().optional(),
  ready: z.boolean().default(false),
  started: z.boolean().optional(),
  restartCount: nonNegativeInt().default(0),
  state: containerStateSchema.optional(),
  lastState: containerStateSchema.optional(),
});
export type ContainerStatus = z.output<typeof containerStatusSchema>;

export const podConditionSchema = z.object({
  type: z.string(),
  status: z.enum(CONDITION_STATUSES),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastProbeTime: timestamp().optional(),
  lastTransitionTime: timestamp().optional(),
});
export type PodCondition = z.output<typeof podConditionSchema>;

const podIPSchema = z.object({ ip: z.string() });

export const podStatusSchema = z.object({
  phase: z.enum(POD_PHASES).default('Pending'),
  conditions: z.array(podConditionSchema).optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  hostIP: z.string().optional(),
  hostIPs: z.array(podIPSchema).optional(),
  podIP: z.string().optional(),
  podIPs: z.array(podIPSchema).optional(),
  startTime: timestamp().optional(),
  containerStatuses: z.array(containerStatusSchema).optional(),
});
export type PodStatus = z.output<typeof podStatusSchema>;

/** Read-only view of a replica; `spec.nodeName` is the node it is bound to. */
export const podSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Pod'),
  metadata: orEmpty(namespacedObjectMetaSchema(isDNS1123Subdomain)),
  spec: orEmpty(podSpecSchema),
  status: podStatusSchema.optional(),
});
export type Pod = z.output<typeof podSchema>;
