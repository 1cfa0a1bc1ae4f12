import { ClusterState } from './cluster-state';
import { mix32 } from './hash';
import { ReplicaProfile } from './profile';
import { ScoreWeights } from './types';

export const MAX_NODE_SCORE = 100;

/** kube-scheduler's default plugin weights. */
export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = Object.freeze({
  resourceFit: 1,
  balancedAllocation: 1,
  nodeAffinity: 2,
  interPodAffinity: 2,
  topologySpread: 2,
  taintToleration: 3,
});

/** LeastAllocated (spread) or MostAllocated (bin-pack), the mean of cpu and memory, 0..100 after adding the request. */
export function resourceFitScore(capacity: number, usedAfter: number, mostAllocated: boolean): number {
  if (capacity <= 0) return 0;
  if (usedAfter > capacity) return mostAllocated ? MAX_NODE_SCORE : 0;
  return Math.floor(((mostAllocated ? usedAfter : capacity - usedAfter) * MAX_NODE_SCORE) / capacity);
}

/** BalancedAllocation: 100 when cpu and memory are used in equal shares, less as they diverge. */
export function balancedAllocationScore(cpuFraction: number, memFraction: number): number {
  const c = cpuFraction > 1 ? 1 : cpuFraction;
  const m = memFraction > 1 ? 1 : memFraction;
  const std = Math.abs(c - m) / 2;
  return Math.floor((1 - std) * MAX_NODE_SCORE);
}

/** Per-node raw components; sized to the cluster once and reused for every replica. */
export class ScoreScratch {
  readonly base: Float64Array;
  readonly affinity: Float64Array;
  readonly taint: Float64Array;
  readonly antiAffinity: Float64Array;
  readonly spread: Float64Array;
  bestNode = -1;
  bestScore = 0;

  constructor(size: number) {
    this.base = new Float64Array(size);
    this.affinity = new Float64Array(size);
    this.taint = new Float64Array(size);
    this.antiAffinity = new Float64Array(size);
    this.spread = new Float64Array(size);
  }
}

/**
 * Scores the feasible nodes and picks the best: weighted sum of integer plugin scores (each normalized over the
 * feasible set like kube's NormalizeScore), ties broken by a per-replica hash of the node name.
 * Writes scratch.bestNode / scratch.bestScore.
 */
export function selectNode(
  state: ClusterState,
  profile: ReplicaProfile,
  weights: ScoreWeights,
  feasible: Int32Array,
  count: number,
  cpu: number,
  mem: number,
  replicaHash: number,
  scratch: ScoreScratch,
): void {
  const { capCpu, capMem, allocCpu, allocMem } = state;
  const most = profile.mostAllocated;
  const statics = profile.statics;
  const preferred = statics.preferredAffinity;
  const soft = statics.preferNoSchedule;
  const anti = profile.preferredAnti;
  const spread = profile.spreadScores;
  const { base, affinity, taint, antiAffinity, spread: spreadRaw } = scratch;
  const wFit = weights.resourceFit;
  const wBal = weights.balancedAllocation;

  let affMax = 0;
  let taintMax = 0;
  let antiMin = Infinity;
  let antiMax = -Infinity;
  let spreadMin = Infinity;
  let spreadMax = -Infinity;
  for (let i = 0; i < count; i++) {
    const n = feasible[i];
    const cc = capCpu[n];
    const cm = capMem[n];
    const uc = allocCpu[n] + cpu;
    const um = allocMem[n] + mem;
    const fit = Math.floor((resourceFitScore(cc, uc, most) + resourceFitScore(cm, um, most)) / 2);
    const bal = balancedAllocationScore(cc > 0 ? uc / cc : 1, cm > 0 ? um / cm : 1);
    base[i] = wFit * fit + wBal * bal;
    if (preferred !== null) {
      const a = preferred[n];
      affinity[i] = a;
      if (a > affMax) affMax = a;
    }
    if (soft !== null) {
      const t = soft[n];
      taint[i] = t;
      if (t > taintMax) taintMax = t;
    }
    if (anti.length > 0) {
      let raw = 0;
      for (let k = 0; k < anti.length; k++) {
        const term = anti[k];
        const d = term.nodeDomain[n];
        if (d >= 0) raw -= term.weight * term.counts[d];
      }
      antiAffinity[i] = raw;
      if (raw < antiMin) antiMin = raw;
      if (raw > antiMax) antiMax = raw;
    }
    if (spread.length > 0) {
      let raw = 0;
      for (let k = 0; k < spread.length; k++) {
        const term = spread[k];
        const d = term.nodeDomain[n];
        if (d < 0) {
          // Like kube, a node missing a topology label is not ranked for spreading at all.
          raw = -1;
          break;
        }
        raw += term.counts[d] * term.weight + term.offset;
      }
      spreadRaw[i] = raw;
      if (raw >= 0) {
        if (raw < spreadMin) spreadMin = raw;
        if (raw > spreadMax) spreadMax = raw;
      }
    }
  }

  // Components that are the same on every node still count, so reported scores read like kube's.
  const wAff = weights.nodeAffinity;
  const wTaint = weights.taintToleration;
  const wAnti = weights.interPodAffinity;
  const wSpread = weights.topologySpread;
  const constant = soft === null || taintMax === 0 ? wTaint * MAX_NODE_SCORE : 0;
  const spreadFlat = spread.length > 0 && spreadMax === 0;
  const useAff = preferred !== null && affMax > 0;
  const useTaint = soft !== null && taintMax > 0;
  const useAnti = anti.length > 0 && antiMax > antiMin;
  const useSpread = spread.length > 0 && spreadMax > 0;

  let bestNode = -1;
  let bestScore = -Infinity;
  let bestTie = 0;
  for (let i = 0; i < count; i++) {
    let total = base[i] + constant;
    if (useAff) total += wAff * Math.floor((affinity[i] * MAX_NODE_SCORE) / affMax);
    if (useTaint) total += wTaint * (MAX_NODE_SCORE - Math.floor((taint[i] * MAX_NODE_SCORE) / taintMax));
    if (useAnti) total += wAnti * Math.floor((MAX_NODE_SCORE * (antiAffinity[i] - antiMin)) / (antiMax - antiMin));
    if (useSpread) {
      const raw = spreadRaw[i];
      if (raw >= 0) total += wSpread * Math.floor((MAX_NODE_SCORE * (spreadMax + spreadMin - raw)) / spreadMax);
    } else if (spreadFlat && spreadRaw[i] >= 0) {
      total += wSpread * MAX_NODE_SCORE;
    }
    if (total < bestScore) continue;
    const n = feasible[i];
    const tie = mix32(state.nodeHash[n] ^ replicaHash);
    if (total > bestScore || tie < bestTie || (tie === bestTie && n < bestNode)) {
      bestNode = n;
      bestScore = total;
      bestTie = tie;
    }
  }
  scratch.bestNode = bestNode;
  scratch.bestScore = bestScore;
}
