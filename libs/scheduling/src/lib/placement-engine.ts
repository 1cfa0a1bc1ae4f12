import { ClusterState, NodeFilter } from './cluster-state';
import { InvalidReplica, InvalidSnapshot, Unschedulable } from './errors';
import { StaticFeasibility, evaluateStatic, staticKey, staticRejection } from './feasibility';
import { DYNAMIC_FILTERS, FAILURE_TABLE, FIT, fitNode, tallyFailure } from './fit';
import { fnv1a } from './hash';
import { planPreemption } from './preemption';
import { ReplicaProfile, compileProfile, profileKey } from './profile';
import { FilterName } from './reasons';
import { DEFAULT_SCORE_WEIGHTS, ScoreScratch, selectNode } from './score';
import { ClusterSnapshot, Placement, PreemptionResult, ReplicaSpec, ScoreWeights, ScoringStrategy } from './types';

const NO_PORTS: readonly number[] = Object.freeze([]);
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;

/** kube-scheduler's numFeasibleNodesToFind: how many feasible nodes are enough to stop filtering and score. */
export function numFeasibleNodesToFind(totalNodes: number, percentage = 0): number {
  if (totalNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return totalNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - totalNodes / 125;
    if (pct < MIN_FEASIBLE_PERCENTAGE) pct = MIN_FEASIBLE_PERCENTAGE;
  }
  const n = Math.floor((totalNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

function checkRequests(replica: ReplicaSpec): void {
  const { cpuMilli, memoryBytes } = replica.requests;
  if (!(cpuMilli >= 0 && cpuMilli < Infinity && memoryBytes >= 0 && memoryBytes < Infinity)) {
    throw new InvalidReplica(replica.uid, `requests must be finite numbers >= 0, got cpuMilli=${cpuMilli} memoryBytes=${memoryBytes}`);
  }
}

/**
 * The placement pipeline over one indexed snapshot: static feasibility (cached per template) -> dynamic fit
 * over a rotating window of candidates -> score -> select. Binding updates the incremental counters, so a
 * long-lived engine (scheduleBatch, or the scheduler app) sees its own earlier decisions.
 */
export class PlacementEngine {
  readonly state: ClusterState;
  private readonly weights: ScoreWeights;
  private readonly strategy: ScoringStrategy;
  private readonly toFind: number;
  private readonly seed: number;
  private readonly statics = new Map<string, StaticFeasibility>();
  private readonly profiles = new Map<string, ReplicaProfile>();
  private readonly nodeFilters = new Map<string, NodeFilter>();
  private readonly feasible: Int32Array;
  private readonly scratch: ScoreScratch;
  private readonly reasonCounts = new Int32Array(FAILURE_TABLE.length);
  private readonly filterCounts = new Int32Array(DYNAMIC_FILTERS.length);

  constructor(snapshot: ClusterSnapshot) {
    const options = snapshot.options ?? {};
    this.state = new ClusterState(snapshot.nodes);
    this.weights = { ...DEFAULT_SCORE_WEIGHTS, ...options.weights };
    this.strategy = options.scoringStrategy ?? 'LeastAllocated';
    this.toFind = numFeasibleNodesToFind(this.state.size, options.percentageOfNodesToScore ?? 0);
    this.seed = options.seed ?? 0;
    this.feasible = new Int32Array(this.state.size);
    this.scratch = new ScoreScratch(this.state.size);
    for (const bound of snapshot.replicas ?? []) {
      const node = this.state.indexByName.get(bound.node);
      if (node === undefined) throw new InvalidSnapshot(`replica ${bound.uid} is bound to unknown node ${bound.node}`);
      checkRequests(bound);
      const group = this.state.group(bound.namespace, bound.deployment, bound.labels);
      this.state.bind(bound, node, group, this.state.holdTermsOf(bound));
    }
  }

  /** Decides where the replica would go without binding it. */
  schedule(replica: ReplicaSpec): Placement | Unschedulable {
    checkRequests(replica);
    const profile = this.profileOf(replica);
    const node = this.findNode(replica, profile);
    if (node < 0) return this.unschedulable(replica, profile);
    return { kind: 'Scheduled', replica: replica.uid, node: this.state.names[node], score: this.scratch.bestScore };
  }

  /** schedule() and, when a node was found, bind the replica there. */
  place(replica: ReplicaSpec): Placement | Unschedulable {
    checkRequests(replica);
    const profile = this.profileOf(replica);
    const node = this.findNode(replica, profile);
    if (node < 0) return this.unschedulable(replica, profile);
    this.state.bind(replica, node, profile.group, profile.holds);
    return { kind: 'Scheduled', replica: replica.uid, node: this.state.names[node], score: this.scratch.bestScore };
  }

  /** Records a binding decided elsewhere (the log says so); no filter is consulted. */
  bind(replica: ReplicaSpec, nodeName: string): void {
    checkRequests(replica);
    const node = this.state.indexByName.get(nodeName);
    if (node === undefined) throw new InvalidReplica(replica.uid, `unknown node ${nodeName}`);
    const profile = this.profileOf(replica);
    this.state.bind(replica, node, profile.group, profile.holds);
  }

  /** Frees what a bound replica held; false when it was not bound. */
  unbind(uid: string): boolean {
    return this.state.unbind(uid) !== undefined;
  }

  /** First filter reason that keeps the replica off the node in the current state, or null when it fits. */
  explain(replica: ReplicaSpec, nodeName: string): string | null {
    const node = this.state.indexByName.get(nodeName);
    if (node === undefined) throw new InvalidReplica(replica.uid, `unknown node ${nodeName}`);
    const profile = this.profileOf(replica);
    const statics = profile.statics;
    let inCandidates = false;
    for (let i = 0; i < statics.candidates.length; i++) if (statics.candidates[i] === node) inCandidates = true;
    if (!inCandidates) return staticRejection(this.state, replica, node)?.[1] ?? null;
    const fail = this.fitsAt(replica, profile, node);
    if (fail === FIT) return null;
    let bit = 0;
    while (((fail >>> bit) & 1) === 0) bit++;
    return FAILURE_TABLE[bit][1];
  }

  /** Victims whose eviction lets the replica in (see planPreemption); NoPreemption when it fits already. */
  findPreemption(replica: ReplicaSpec): PreemptionResult {
    checkRequests(replica);
    const profile = this.profileOf(replica);
    if (this.findNode(replica, profile) >= 0) {
      return { kind: 'NoPreemption', replica: replica.uid, reason: 'replica fits without preemption' };
    }
    return planPreemption(this.state, profile, replica, (n) => this.fitsAt(replica, profile, n) === FIT);
  }

  nodeUsage(nodeName: string): { cpuMilli: number; memoryBytes: number; pods: number } | undefined {
    const n = this.state.indexByName.get(nodeName);
    if (n === undefined) return undefined;
    return { cpuMilli: this.state.allocCpu[n], memoryBytes: this.state.allocMem[n], pods: this.state.podCount[n] };
  }

  /** uids of the replicas bound to the node, sorted. */
  boundReplicas(nodeName: string): string[] {
    const n = this.state.indexByName.get(nodeName);
    return n === undefined ? [] : this.state.podsByNode[n].map((p) => p.uid).sort();
  }

  private fitsAt(replica: ReplicaSpec, profile: ReplicaProfile, node: number): number {
    profile.refreshSpread();
    const { cpuMilli, memoryBytes } = replica.requests;
    return fitNode(this.state, profile, node, cpuMilli, memoryBytes, replica.hostPorts ?? NO_PORTS);
  }

  private profileOf(replica: ReplicaSpec): ReplicaProfile {
    const strategy = replica.scoringStrategy ?? this.strategy;
    const key = profileKey(replica, strategy);
    let profile = this.profiles.get(key);
    if (!profile) {
      const sKey = staticKey(replica);
      let statics = this.statics.get(sKey);
      if (!statics) {
        statics = evaluateStatic(this.state, replica, sKey);
        this.statics.set(sKey, statics);
      }
      profile = compileProfile(this.state, replica, statics, strategy, this.nodeFilters);
      this.profiles.set(key, profile);
    }
    return profile;
  }

  /** Filter from the rotating offset until enough feasible nodes are found, then score them; -1 when none. */
  private findNode(replica: ReplicaSpec, profile: ReplicaProfile): number {
    const state = this.state;
    const statics = profile.statics;
    const candidates = statics.candidates;
    const len = candidates.length;
    this.reasonCounts.fill(0);
    this.filterCounts.fill(0);
    if (len === 0) return -1;
    profile.refreshSpread();
    const cpu = replica.requests.cpuMilli;
    const mem = replica.requests.memoryBytes;
    const ports = replica.hostPorts ?? NO_PORTS;
    const feasible = this.feasible;
    const toFind = this.toFind;
    const reasonCounts = this.reasonCounts;
    const filterCounts = this.filterCounts;
    let j = statics.offset < len ? statics.offset : 0;
    let found = 0;
    for (let scanned = 0; scanned < len && found < toFind; scanned++) {
      const n = candidates[j];
      const fail = fitNode(state, profile, n, cpu, mem, ports);
      if (fail === FIT) feasible[found++] = n;
      else tallyFailure(fail, reasonCounts, filterCounts);
      if (++j === len) j = 0;
    }
    statics.offset = j;
    if (found === 0) return -1;
    selectNode(state, profile, this.weights, feasible, found, cpu, mem, fnv1a(replica.uid, this.seed), this.scratch);
    return this.scratch.bestNode;
  }

  private unschedulable(replica: ReplicaSpec, profile: ReplicaProfile): Unschedulable {
    const statics = profile.statics;
    const reasons = new Map(statics.reasons);
    const filterFailures: Partial<Record<FilterName, number>> = { ...statics.filterFailures };
    for (let bit = 0; bit < FAILURE_TABLE.length; bit++) {
      const count = this.reasonCounts[bit];
      if (count === 0) continue;
      const reason = FAILURE_TABLE[bit][1];
      reasons.set(reason, (reasons.get(reason) ?? 0) + count);
    }
    for (let f = 0; f < DYNAMIC_FILTERS.length; f++) {
      const count = this.filterCounts[f];
      if (count > 0) filterFailures[DYNAMIC_FILTERS[f]] = (filterFailures[DYNAMIC_FILTERS[f]] ?? 0) + count;
    }
    return new Unschedulable(replica.uid, this.state.size, reasons, filterFailures);
  }
}
