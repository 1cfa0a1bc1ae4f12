// A deliberately naive re-statement of every required constraint, recomputed from scratch over plain lists.
// Property tests compare the engine's incremental indexes against it on small clusters.
import { matchesLabelSelector } from '../label-selector';
import { matchesNodeAffinity } from '../node-affinity.filter';
import { toleratesTaint } from '../taint-toleration.filter';
import { BoundReplica, ClusterNode, ReplicaSpec, Taint, Toleration } from '../types';

const HOSTNAME = 'kubernetes.io/hostname';

function topologyValue(node: ClusterNode, key: string): string | undefined {
  return node.labels?.[key] ?? (key === HOSTNAME ? node.name : undefined);
}

function tolerated(taint: Taint, tolerations: readonly Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Whether `replica` may be bound to `nodeName` given the replicas already bound, checking every required rule. */
export function oracleFits(nodes: readonly ClusterNode[], bound: readonly BoundReplica[], replica: ReplicaSpec, nodeName: string): boolean {
  const node = nodes.find((n) => n.name === nodeName);
  if (!node) return false;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const tolerations = replica.tolerations;

  if (!node.ready && !tolerated({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, tolerations)) return false;
  if (node.unschedulable && !tolerated({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, tolerations)) return false;
  for (const taint of node.taints ?? []) {
    if (taint.effect !== 'PreferNoSchedule' && !tolerated(taint, tolerations)) return false;
  }
  if (!matchesNodeAffinity(replica, node.labels)) return false;

  const onNode = bound.filter((b) => b.node === nodeName);
  const usedPorts = new Set([...(node.usedHostPorts ?? []), ...onNode.flatMap((b) => b.hostPorts ?? [])]);
  if ((replica.hostPorts ?? []).some((p) => usedPorts.has(p))) return false;

  const pods = node.allocatable.pods ?? Infinity;
  if (onNode.length + 1 > pods) return false;
  const cpu = replica.requests.cpuMilli;
  const mem = replica.requests.memoryBytes;
  if (cpu > 0 && sum(onNode.map((b) => b.requests.cpuMilli)) + cpu > node.allocatable.cpuMilli) return false;
  if (mem > 0 && sum(onNode.map((b) => b.requests.memoryBytes)) + mem > node.allocatable.memoryBytes) return false;

  const hard = (replica.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
  const hardKeys = hard.map((c) => c.topologyKey);
  for (const c of hard) {
    const eligible = nodes.filter((n) => matchesNodeAffinity(replica, n.labels) && hardKeys.every((k) => topologyValue(n, k) !== undefined));
    const value = topologyValue(node, c.topologyKey);
    if (value === undefined) return false;
    const counts = new Map<string, number>();
    for (const n of eligible) counts.set(topologyValue(n, c.topologyKey) as string, 0);
    for (const b of bound) {
      const host = byName.get(b.node);
      if (!host || !eligible.includes(host) || b.namespace !== replica.namespace) continue;
      if (!matchesLabelSelector(c.labelSelector, b.labels)) continue;
      const v = topologyValue(host, c.topologyKey) as string;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const min = counts.size === 0 ? 0 : Math.min(...counts.values());
    const self = matchesLabelSelector(c.labelSelector, replica.labels) ? 1 : 0;
    if ((counts.get(value) ?? 0) + self - min > c.maxSkew) return false;
  }

  for (const term of replica.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    const value = topologyValue(node, term.topologyKey);
    if (value === undefined) continue;
    const namespaces = term.namespaces ?? [replica.namespace];
    const conflict = bound.some((b) => {
      const host = byName.get(b.node);
      return (
        host !== undefined &&
        topologyValue(host, term.topologyKey) === value &&
        namespaces.includes(b.namespace) &&
        matchesLabelSelector(term.labelSelector, b.labels)
      );
    });
    if (conflict) return false;
  }

  for (const b of bound) {
    const host = byName.get(b.node);
    if (!host) continue;
    for (const term of b.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const value = topologyValue(node, term.topologyKey);
      if (value === undefined || topologyValue(host, term.topologyKey) !== value) continue;
      if ((term.namespaces ?? [b.namespace]).includes(replica.namespace) && matchesLabelSelector(term.labelSelector, replica.labels)) return false;
    }
  }
  return true;
}

/** Every node the replica fits on, by brute force. */
export function oracleFeasibleNodes(nodes: readonly ClusterNode[], bound: readonly BoundReplica[], replica: ReplicaSpec): string[] {
  return nodes.filter((n) => oracleFits(nodes, bound, replica, n.name)).map((n) => n.name);
}

export interface OraclePreemption {
  readonly node: string;
  readonly cost: readonly [maxPriority: number, count: number, sumPriority: number];
}

/** Cheapest preemption by exhaustive search over every node and every subset of its lower-priority replicas. */
export function oracleBestPreemption(
  nodes: readonly ClusterNode[],
  bound: readonly BoundReplica[],
  replica: ReplicaSpec,
): OraclePreemption | null {
  const priority = replica.priority ?? 0;
  let best: OraclePreemption | null = null;
  const less = (a: readonly number[], b: readonly number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
  };
  for (const n of [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const lower = bound.filter((b) => b.node === n.name && (b.priority ?? 0) < priority);
    for (let mask = 1; mask < 1 << lower.length; mask++) {
      const victims = lower.filter((_, i) => (mask & (1 << i)) !== 0);
      const rest = bound.filter((b) => !victims.includes(b));
      if (!oracleFits(nodes, rest, replica, n.name)) continue;
      const prios = victims.map((v) => v.priority ?? 0);
      const cost = [Math.max(...prios), victims.length, sum(prios)] as const;
      if (best === null || less(cost, best.cost)) best = { node: n.name, cost };
    }
  }
  return best;
}
