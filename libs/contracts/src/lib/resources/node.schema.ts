import { z } from 'zod';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './name-validation.util';
import { clusterObjectMetaSchema } from './object-meta.schema';
import { TAINT_EFFECTS } from './pod-spec.schema';
import { asArray, asRecord, asString, checkedString, crossRules, orEmpty, resourceList, rules, timestamp, CONDITION_STATUSES } from './schema-kit.util';

export const nodeTaintSchema = z.object({
  key: checkedString(isQualifiedName),
  value: rules(z.string(), (value, r) => {
    const errors = isValidLabelValue(value);
    if (errors.length > 0) r.invalid([], value, errors.join(';'));
  }).optional(),
  effect: z.enum(TAINT_EFFECTS),
  timeAdded: timestamp().optional(),
});
export type Taint = z.output<typeof nodeTaintSchema>;

export const nodeSpecSchema = crossRules(
  z.object({
    unschedulable: z.boolean().default(false),
    taints: z.array(nodeTaintSchema).optional(),
  }),
  (spec, r) => {
    const seen = new Set<string>();
    asArray(asRecord(spec)?.taints).forEach((taint, i) => {
      const t = asRecord(taint);
      const key = asString(t?.key);
      const effect = asString(t?.effect);
      if (key === undefined || effect === undefined) return;
      const id = `${key}:${effect}`;
      if (seen.has(id)) r.duplicate(['taints', i], t, 'taints must be unique by key and effect pair');
      seen.add(id);
    });
  },
);
export type NodeSpec = z.output<typeof nodeSpecSchema>;

export const NODE_ADDRESS_TYPES = ['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS'] as const;

export const nodeConditionSchema = z.object({
  type: z.string(),
  status: z.enum(CONDITION_STATUSES),
  lastHeartbeatTime: timestamp().optional(),
  lastTransitionTime: timestamp().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type NodeCondition = z.output<typeof nodeConditionSchema>;

export const nodeAddressSchema = z.object({
  type: z.enum(NODE_ADDRESS_TYPES),
  address: z.string(),
});
export type NodeAddress = z.output<typeof nodeAddressSchema>;

export const nodeSystemInfoSchema = z.object({
  machineID: z.string().optional(),
  systemUUID: z.string().optional(),
  bootID: z.string().optional(),
  kernelVersion: z.string().optional(),
  osImage: z.string().optional(),
  containerRuntimeVersion: z.string().optional(),
  kubeletVersion: z.string().optional(),
  kubeProxyVersion: z.string().optional(),
  operatingSystem: z.string().optional(),
  architecture: z.string().optional(),
});
export type NodeSystemInfo = z.output<typeof nodeSystemInfoSchema>;

export const nodeStatusSchema = z.object({
  capacity: resourceList('node').optional(),
  allocatable: resourceList('node').optional(),
  conditions: z.array(nodeConditionSchema).optional(),
  addresses: z.array(nodeAddressSchema).optional(),
  nodeInfo: nodeSystemInfoSchema.optional(),
});
export type NodeStatus = z.output<typeof nodeStatusSchema>;

export const nodeSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Node'),
  metadata: orEmpty(clusterObjectMetaSchema(isDNS1123Subdomain)),
  spec: orEmpty(nodeSpecSchema),
  status: nodeStatusSchema.optional(),
});
export type Node = z.output<typeof nodeSchema>;
export type NodeInput = z.input<typeof nodeSchema>;
