import { ClusterState } from './cluster-state';
import { matchesNodeAffinity, preferredNodeAffinityScore } from './node-affinity.filter';
import { FilterName, Reason, untoleratedTaintReason } from './reasons';
import {
  TAINT_NOT_READY,
  TAINT_UNSCHEDULABLE,
  countUntoleratedPreferNoSchedule,
  findUntoleratedTaint,
  toleratesCondition,
} from './taint-toleration.filter';
import { ReplicaSpec } from './types';

export type StaticInput = Pick<ReplicaSpec, 'nodeSelector' | 'affinity' | 'tolerations'>;

/**
 * Filters whose verdict depends only on the node and the replica's template, never on what is bound
 * (Nomad's class eligibility, kube's equivalence cache): computed once per distinct template and reused.
 */
export class StaticFeasibility {
  /** Rotating start into `candidates`, so successive replicas look at different nodes first. */
  offset = 0;

  constructor(
    readonly key: string,
    /** Nodes passing NodeReady, NodeUnschedulable, TaintToleration and NodeAffinity, by index. */
    readonly candidates: Int32Array,
    /** Nodes passing NodeAffinity alone (the domains topology spread counts in). */
    readonly affinityPass: Uint8Array,
    readonly reasons: ReadonlyMap<string, number>,
    readonly filterFailures: Readonly<Partial<Record<FilterName, number>>>,
    /** Raw preferred node affinity weight per node, or null when the replica prefers nothing. */
    readonly preferredAffinity: Float64Array | null,
    /** Untolerated PreferNoSchedule taints per node, or null when no node has one. */
    readonly preferNoSchedule: Float64Array | null,
  ) {}
}

export function staticKey(input: StaticInput): string {
  return JSON.stringify([input.nodeSelector ?? null, input.affinity?.nodeAffinity ?? null, input.tolerations ?? null]);
}

/** First static filter the node fails (in kube-scheduler's filter order), as [filter, reason], or null. */
export function staticRejection(state: ClusterState, input: StaticInput, n: number): [FilterName, string] | null {
  const node = state.nodes[n];
  if (!node.ready && !toleratesCondition(TAINT_NOT_READY, input.tolerations)) return ['NodeReady', Reason.NotReady];
  if (node.unschedulable && !toleratesCondition(TAINT_UNSCHEDULABLE, input.tolerations)) {
    return ['NodeUnschedulable', Reason.Unschedulable];
  }
  const taint = findUntoleratedTaint(node.taints, input.tolerations);
  if (taint) return ['TaintToleration', untoleratedTaintReason(taint.key, taint.value)];
  if (!matchesNodeAffinity(input, node.labels)) return ['NodeAffinity', Reason.NodeAffinity];
  return null;
}

export function evaluateStatic(state: ClusterState, input: StaticInput, key = staticKey(input)): StaticFeasibility {
  const size = state.size;
  const candidates: number[] = [];
  const affinityPass = new Uint8Array(size);
  const reasons = new Map<string, number>();
  const filterFailures: Partial<Record<FilterName, number>> = {};
  const hasPreferred = (input.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  const preferredAffinity = hasPreferred ? new Float64Array(size) : null;
  let preferNoSchedule: Float64Array | null = null;
  for (let n = 0; n < size; n++) {
    const node = state.nodes[n];
    if (matchesNodeAffinity(input, node.labels)) affinityPass[n] = 1;
    if (preferredAffinity) preferredAffinity[n] = preferredNodeAffinityScore(input, node.labels);
    const soft = countUntoleratedPreferNoSchedule(node.taints, input.tolerations);
    if (soft > 0) {
      if (!preferNoSchedule) preferNoSchedule = new Float64Array(size);
      preferNoSchedule[n] = soft;
    }
    const rejection = staticRejection(state, input, n);
    if (rejection === null) {
      candidates.push(n);
    } else {
      const [filter, reason] = rejection;
      filterFailures[filter] = (filterFailures[filter] ?? 0) + 1;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  return new StaticFeasibility(
    key,
    Int32Array.from(candidates),
    affinityPass,
    reasons,
    filterFailures,
    preferredAffinity,
    preferNoSchedule,
  );
}
