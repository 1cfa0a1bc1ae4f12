import { ClusterState } from './cluster-state';
import { ReplicaProfile } from './profile';
import { FilterName, Reason } from './reasons';

// Dynamic filters: verdicts that change as replicas bind. Bit flags so the hot loop allocates nothing.
export const FIT = 0;
export const FAIL_PORTS = 1;
export const FAIL_PODS = 2;
export const FAIL_CPU = 4;
export const FAIL_MEM = 8;
export const FAIL_SPREAD = 16;
export const FAIL_SPREAD_LABEL = 32;
export const FAIL_EXISTING_ANTI = 64;
export const FAIL_ANTI = 128;

/** Bit index -> [filter, Kubernetes reason]. */
export const FAILURE_TABLE: readonly (readonly [FilterName, string])[] = [
  ['NodePorts', Reason.HostPorts],
  ['NodeResourcesFit', Reason.TooManyPods],
  ['NodeResourcesFit', Reason.InsufficientCpu],
  ['NodeResourcesFit', Reason.InsufficientMemory],
  ['PodTopologySpread', Reason.TopologySpread],
  ['PodTopologySpread', Reason.TopologySpreadMissingLabel],
  ['InterPodAffinity', Reason.ExistingAntiAffinity],
  ['InterPodAffinity', Reason.AntiAffinity],
];

/** NodePorts: every requested host port must be free on the node. */
export function fitsHostPorts(state: ClusterState, n: number, ports: readonly number[]): boolean {
  const used = state.nodePorts[n];
  if (used === undefined) return true;
  for (let i = 0; i < ports.length; i++) if (used.has(ports[i])) return false;
  return true;
}

/** NodeResourcesFit: 0 or the FAIL_PODS | FAIL_CPU | FAIL_MEM bits (all insufficient resources are reported). */
export function resourceFit(state: ClusterState, n: number, cpu: number, mem: number): number {
  let fail = 0;
  if (state.podCount[n] + 1 > state.capPods[n]) fail |= FAIL_PODS;
  // Like kube: a zero request never fails, even on an overcommitted node.
  if (cpu > 0 && state.allocCpu[n] + cpu > state.capCpu[n]) fail |= FAIL_CPU;
  if (mem > 0 && state.allocMem[n] + mem > state.capMem[n]) fail |= FAIL_MEM;
  return fail;
}

/** PodTopologySpread (DoNotSchedule): matching + self - min over eligible domains must not exceed maxSkew. */
export function topologySpreadFit(profile: ReplicaProfile, n: number): number {
  const filters = profile.spreadFilters;
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i];
    const d = f.nodeDomain[n];
    if (d < 0) return FAIL_SPREAD_LABEL;
    if (f.counts[d] + f.selfMatch - f.min > f.maxSkew) return FAIL_SPREAD;
  }
  return FIT;
}

/** InterPodAffinity (required anti-affinity): the replica's own terms, then bound replicas' terms against it, as kube orders them. */
export function antiAffinityFit(profile: ReplicaProfile, n: number): number {
  const terms = profile.antiTerms;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i];
    const d = t.nodeDomain[n];
    if (d >= 0 && t.counts[d] > 0) return FAIL_ANTI;
  }
  const selectedBy = profile.group.selectedBy;
  for (let i = 0; i < selectedBy.length; i++) {
    const t = selectedBy[i];
    const d = t.nodeDomain[n];
    if (d >= 0 && t.counts[d] > 0) return FAIL_EXISTING_ANTI;
  }
  return FIT;
}

/**
 * The dynamic filter chain for one node, in kube-scheduler's order; FIT or the failing filter's bits.
 * Call profile.refreshSpread() once before a pass over nodes.
 */
export function fitNode(
  state: ClusterState,
  profile: ReplicaProfile,
  n: number,
  cpu: number,
  mem: number,
  ports: readonly number[],
): number {
  if (ports.length > 0 && !fitsHostPorts(state, n, ports)) return FAIL_PORTS;
  const resources = resourceFit(state, n, cpu, mem);
  if (resources !== FIT) return resources;
  if (profile.spreadFilters.length > 0) {
    const spread = topologySpreadFit(profile, n);
    if (spread !== FIT) return spread;
  }
  return antiAffinityFit(profile, n);
}

export const DYNAMIC_FILTERS: readonly FilterName[] = ['NodePorts', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity'];

/** Index into DYNAMIC_FILTERS of the filter that produced the failure bits. */
export function failedFilter(fail: number): number {
  if ((fail & FAIL_PORTS) !== 0) return 0;
  if ((fail & (FAIL_PODS | FAIL_CPU | FAIL_MEM)) !== 0) return 1;
  if ((fail & (FAIL_SPREAD | FAIL_SPREAD_LABEL)) !== 0) return 2;
  return 3;
}

/** Adds one node's failure to the per-reason (bit) and per-filter histograms. */
export function tallyFailure(fail: number, reasonCounts: Int32Array, filterCounts: Int32Array): void {
  filterCounts[failedFilter(fail)]++;
  for (let bit = 0; fail !== 0; bit++, fail >>>= 1) if ((fail & 1) !== 0) reasonCounts[bit]++;
}
