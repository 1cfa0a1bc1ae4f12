// Kubernetes' own rejection strings, so `describe` output reads the same as on a real cluster.

export const FILTER_NAMES = [
  'NodeReady',
  'NodeUnschedulable',
  'TaintToleration',
  'NodeAffinity',
  'NodePorts',
  'NodeResourcesFit',
  'PodTopologySpread',
  'InterPodAffinity',
] as const;

export type FilterName = (typeof FILTER_NAMES)[number];

export const Reason = {
  NotReady: 'node(s) were not ready',
  Unschedulable: 'node(s) were unschedulable',
  NodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  HostPorts: "node(s) didn't have free ports for the requested pod ports",
  TooManyPods: 'Too many pods',
  InsufficientCpu: 'Insufficient cpu',
  InsufficientMemory: 'Insufficient memory',
  TopologySpread: "node(s) didn't match pod topology spread constraints",
  TopologySpreadMissingLabel: "node(s) didn't match pod topology spread constraints (missing required label)",
  AntiAffinity: "node(s) didn't match pod anti-affinity rules",
  ExistingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
} as const;

export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

/** Count descending, then reason ascending: the most common blocker reads first. */
export function sortReasons(reasons: ReadonlyMap<string, number>): [string, number][] {
  return [...reasons.entries()]
    .filter(([, count]) => count > 0)
    .sort(([ra, ca], [rb, cb]) => cb - ca || (ra < rb ? -1 : ra > rb ? 1 : 0));
}

/** "0/5 nodes are available: 3 Insufficient memory, 2 node(s) had untolerated taint {key: value}." */
export function formatFitError(totalNodes: number, reasons: ReadonlyMap<string, number>): string {
  if (totalNodes === 0) return NO_NODES_MESSAGE;
  const parts = sortReasons(reasons).map(([reason, count]) => `${count} ${reason}`);
  return parts.length === 0
    ? `0/${totalNodes} nodes are available.`
    : `0/${totalNodes} nodes are available: ${parts.join(', ')}.`;
}
