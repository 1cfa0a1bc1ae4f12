import { z } from 'zod';
import { Deployment, deploymentSchema } from './deployment.schema';
import { Event, eventSchema } from './event.schema';
import { HorizontalPodAutoscaler, horizontalPodAutoscalerSchema } from './horizontal-pod-autoscaler.schema';
import { Namespace, namespaceSchema } from './namespace.schema';
import { Node, nodeSchema } from './node.schema';
import { Pod, podSchema } from './pod.schema';
import { Scale, scaleSchema } from './scale.schema';
import { Service, serviceSchema } from './service.schema';

export type Resource = Namespace | Deployment | Pod | Service | HorizontalPodAutoscaler | Node | Event | Scale;
export type ResourceKind = Resource['kind'];

export interface ResourceType {
  apiVersion: string;
  /** API group, '' for the core group. */
  group: string;
  version: string;
  kind: ResourceKind;
  /** Lower-case plural used in REST paths (`/apis/apps/v1/namespaces/{ns}/deployments`). */
  plural: string;
  namespaced: boolean;
  /** Written by Berth itself (agents, controllers), read-only for users. */
  systemOwned: boolean;
  schema: z.ZodType<Resource>;
}

function type(apiVersion: string, kind: ResourceKind, plural: string, namespaced: boolean, systemOwned: boolean, schema: z.ZodType<Resource>): ResourceType {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { apiVersion, group, version, kind, plural, namespaced, systemOwned, schema };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  type('v1', 'Namespace', 'namespaces', false, false, namespaceSchema),
  type('apps/v1', 'Deployment', 'deployments', true, false, deploymentSchema),
  type('v1', 'Pod', 'pods', true, true, podSchema),
  type('v1', 'Service', 'services', true, false, serviceSchema),
  type('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, false, horizontalPodAutoscalerSchema),
  type('v1', 'Node', 'nodes', false, true, nodeSchema),
  type('v1', 'Event', 'events', true, true, eventSchema),
  type('autoscaling/v1', 'Scale', 'scale', true, false, scaleSchema),
];

export function findResourceType(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.apiVersion === apiVersion && t.kind === kind);
}
