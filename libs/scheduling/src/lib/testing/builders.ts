// Terse builders for specs: sensible defaults, override what the test is about.
import { BoundReplica, ClusterNode, ReplicaSpec } from '../types';

export const GI = 1024 ** 3;

export function node(name: string, overrides: Partial<ClusterNode> = {}): ClusterNode {
  return {
    name,
    labels: {},
    taints: [],
    allocatable: { cpuMilli: 4000, memoryBytes: 8 * GI, pods: 110 },
    ready: true,
    unschedulable: false,
    ...overrides,
  };
}

export function replica(uid: string, overrides: Partial<ReplicaSpec> = {}): ReplicaSpec {
  return {
    uid,
    namespace: 'default',
    deployment: 'web',
    labels: { app: 'web' },
    requests: { cpuMilli: 100, memoryBytes: 128 * 1024 ** 2 },
    ...overrides,
  };
}

export function bound(uid: string, nodeName: string, overrides: Partial<ReplicaSpec> = {}): BoundReplica {
  return { ...replica(uid, overrides), node: nodeName };
}
