import { ClusterState, PodRecord } from './cluster-state';
import { ReplicaProfile } from './profile';
import { PreemptionResult, PreemptionVictim, ReplicaSpec } from './types';

/** Up to this many lower-priority replicas on a node, victims are chosen by exhaustive search; above, greedily. */
const EXACT_SEARCH_LIMIT = 10;

/** Lexicographic cost of a victim set: highest victim priority, then count, then sum of priorities. */
type Cost = readonly [maxPriority: number, count: number, sumPriority: number];

function costOf(victims: readonly PodRecord[]): Cost {
  let max = -Infinity;
  let sum = 0;
  for (const v of victims) {
    if (v.priority > max) max = v.priority;
    sum += v.priority;
  }
  return [max, victims.length, sum];
}

function lessThan(a: Cost, b: Cost): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

function shareOfNode(state: ClusterState, p: PodRecord): number {
  const cpu = state.capCpu[p.node] > 0 ? p.cpu / state.capCpu[p.node] : 0;
  const mem = state.capMem[p.node] > 0 ? p.mem / state.capMem[p.node] : 0;
  return cpu + mem;
}

/**
 * With every lower-priority replica already unbound and the preemptor fitting, finds the cheapest victim set
 * (by Cost) whose removal alone still lets it fit, cheaper than `bound`. Leaves all lower replicas unbound.
 */
function chooseVictims(
  state: ClusterState,
  lower: readonly PodRecord[],
  fits: () => boolean,
  bound: Cost | null,
): PodRecord[] | null {
  if (lower.length <= EXACT_SEARCH_LIMIT) {
    const subsets: { mask: number; cost: Cost }[] = [];
    for (let mask = 1; mask < 1 << lower.length; mask++) {
      const victims = lower.filter((_, i) => (mask & (1 << i)) !== 0);
      const cost = costOf(victims);
      if (bound === null || lessThan(cost, bound)) subsets.push({ mask, cost });
    }
    subsets.sort((a, b) => (lessThan(a.cost, b.cost) ? -1 : lessThan(b.cost, a.cost) ? 1 : a.mask - b.mask));
    for (const { mask } of subsets) {
      const kept = lower.filter((_, i) => (mask & (1 << i)) === 0);
      for (const p of kept) state.rebind(p);
      const ok = fits();
      for (const p of kept) state.unbind(p.uid);
      if (ok) return lower.filter((_, i) => (mask & (1 << i)) !== 0);
    }
    return null;
  }
  const victims = greedyVictims(state, lower, fits);
  return bound === null || lessThan(costOf(victims), bound) ? victims : null;
}

/** Re-binds `order` one by one, keeping each replica that still lets the preemptor fit; returns the rest. */
function reprieve(state: ClusterState, order: readonly PodRecord[], fits: () => boolean): PodRecord[] {
  const victims: PodRecord[] = [];
  for (const p of order) {
    state.rebind(p);
    if (!fits()) {
      state.unbind(p.uid);
      victims.push(p);
    }
  }
  return victims;
}

/**
 * Too many candidates to search: cap the victims' priority at the lowest level that works, then take the
 * cheaper of kube's reprieve (put back highest priority, smallest first) and evict-largest-then-reprieve.
 */
function greedyVictims(state: ClusterState, lower: readonly PodRecord[], fits: () => boolean): PodRecord[] {
  // Entry and exit: every replica in `lower` is unbound.
  const levels = [...new Set(lower.map((p) => p.priority))].sort((a, b) => b - a);
  let cap: number | undefined;
  for (const level of levels) {
    const atLevel = lower.filter((p) => p.priority === level);
    for (const p of atLevel) state.rebind(p);
    if (!fits()) {
      for (const p of atLevel) state.unbind(p.uid);
      cap = level;
      break;
    }
  }
  if (cap === undefined) {
    for (const p of lower) state.unbind(p.uid);
    return [];
  }
  const limit = cap;
  const kept = lower.filter((p) => p.priority > limit);
  const pool = lower.filter((p) => p.priority <= limit);
  const size = (p: PodRecord) => shareOfNode(state, p);
  const byUid = (a: PodRecord, b: PodRecord) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);
  const reprieveOrder = [...pool].sort((a, b) => b.priority - a.priority || size(a) - size(b) || byUid(a, b));

  const kubeStyle = reprieve(state, reprieveOrder, fits);
  for (const p of pool) if (!kubeStyle.includes(p)) state.unbind(p.uid);

  for (const p of pool) state.rebind(p);
  const evicted: PodRecord[] = [];
  for (const p of [...pool].sort((a, b) => size(b) - size(a) || a.priority - b.priority || byUid(a, b))) {
    if (fits()) break;
    state.unbind(p.uid);
    evicted.push(p);
  }
  const largestFirst = reprieve(state, reprieveOrder.filter((p) => evicted.includes(p)), fits);
  for (const p of pool) if (!largestFirst.includes(p)) state.unbind(p.uid);

  for (const p of kept) state.unbind(p.uid);
  return lessThan(costOf(largestFirst), costOf(kubeStyle)) ? largestFirst : kubeStyle;
}

/**
 * DefaultPreemption over the nodes that pass the static filters: on each, evict only replicas of lower priority,
 * and pick the node whose victims have the lowest highest priority, then are fewest, then lowest total priority;
 * ties go to the first node by name. Required constraints are checked by the same filters as placement.
 */
export function planPreemption(
  state: ClusterState,
  profile: ReplicaProfile,
  replica: ReplicaSpec,
  fitsAt: (node: number) => boolean,
): PreemptionResult {
  const priority = replica.priority ?? 0;
  let best: { node: number; victims: PodRecord[]; cost: Cost } | null = null;
  const candidates = profile.statics.candidates;
  for (let i = 0; i < candidates.length; i++) {
    const n = candidates[i];
    const lower = state.podsByNode[n].filter((p) => p.priority < priority);
    if (lower.length === 0) continue;
    for (const p of lower) state.unbind(p.uid);
    try {
      if (!fitsAt(n)) continue;
      const victims = chooseVictims(state, lower, () => fitsAt(n), best?.cost ?? null);
      if (victims !== null) best = { node: n, victims, cost: costOf(victims) };
    } finally {
      for (const p of lower) state.rebind(p);
    }
  }
  if (best === null) {
    return { kind: 'NoPreemption', replica: replica.uid, reason: 'no node fits even after evicting every lower-priority replica' };
  }
  const victims: PreemptionVictim[] = best.victims
    .map((v) => ({ uid: v.uid, namespace: v.spec.namespace, deployment: v.spec.deployment, priority: v.priority }))
    .sort((a, b) => a.priority - b.priority || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  return { kind: 'Preempt', replica: replica.uid, node: state.names[best.node], victims };
}
