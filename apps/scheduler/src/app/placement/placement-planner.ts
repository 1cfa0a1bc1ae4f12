import { ClusterState, NodeState, pendingReplicas, ReplicaState } from '@berth/cluster-state';
import { BoundReplica, ClusterNode, PlacementEngine, ScoringStrategy } from '@berth/scheduling';
import { ReplicaSpecMapper } from './replica-spec.mapper';
import { SchedulingQueue } from './scheduling-queue';

export interface Binding {
  readonly uid: string;
  readonly node: string;
  readonly expectedVersion: number;
  readonly createdAt: number;
}

export interface UnschedulableReport {
  readonly uid: string;
  readonly expectedVersion: number;
  readonly message: string;
}

export interface PreemptionDecision {
  readonly preemptor: string;
  readonly node: string;
  readonly victims: { readonly uid: string; readonly expectedVersion: number }[];
}

export interface PlacementPlan {
  readonly bindings: Binding[];
  /** Only replicas whose message changed: the log is not spammed with the same reason. */
  readonly unschedulable: UnschedulableReport[];
  readonly preemptions: PreemptionDecision[];
  readonly attempted: number;
  readonly failed: number;
}

export interface PlacementOptions {
  readonly scoringStrategy: ScoringStrategy;
  readonly preemption: boolean;
  /** A nomination whose victims have not gone after this long is given up. */
  readonly nominationTimeoutMs: number;
}

// Terminating replicas still hold their node until the agent stops them, but must never be chosen as
// preemption victims again: the top priority keeps findPreemption away from them.
const GOING_PRIORITY = 2 ** 31 - 1;

function toClusterNode(node: NodeState): ClusterNode {
  return {
    name: node.name,
    labels: node.labels,
    taints: node.taints,
    allocatable: { cpuMilli: node.allocatable.cpuMilli, memoryBytes: node.allocatable.memoryBytes },
    ready: node.ready && !node.lost,
    unschedulable: node.cordoned || node.drainRequested,
  };
}

/**
 * Places the pending replicas that are due, in one batch over a snapshot of the registered nodes and
 * the replicas bound to them (libs/scheduling does the filtering and scoring); for those that fit
 * nowhere, tries priority preemption. Pure apart from the scheduling queue's bookkeeping.
 */
export class PlacementPlanner {
  constructor(
    private readonly mapper: ReplicaSpecMapper,
    private readonly options: PlacementOptions,
  ) {}

  plan(state: ClusterState, queue: SchedulingQueue, now: number): PlacementPlan {
    queue.retain((uid) => state.index.pending.has(uid));
    const epoch = queue.currentEpoch;
    // A nominated preemptor is always looked at: it holds its place even while it waits.
    const due = pendingReplicas(state).filter((r) => queue.isDue(r.uid, now) || queue.nomination(r.uid) !== undefined);
    const empty: PlacementPlan = { bindings: [], unschedulable: [], preemptions: [], attempted: 0, failed: 0 };
    if (due.length === 0) return empty;

    const nodes = [...state.nodes.values()].filter((n) => n.registered);
    const known = new Set(nodes.map((n) => n.name));
    const bound: BoundReplica[] = [];
    let lowestPriority = Infinity;
    for (const [nodeName, uids] of state.index.byNode) {
      if (!known.has(nodeName)) continue;
      for (const uid of uids) {
        const replica = state.replicas.get(uid);
        if (!replica || replica.stopped) continue;
        const spec = this.mapper.toSpec(replica);
        if (replica.deletionRequested) bound.push({ ...spec, priority: GOING_PRIORITY, node: nodeName });
        else {
          bound.push({ ...spec, node: nodeName });
          lowestPriority = Math.min(lowestPriority, replica.priority);
        }
      }
    }
    const engine = new PlacementEngine({ nodes: nodes.map(toClusterNode), replicas: bound, options: { scoringStrategy: this.options.scoringStrategy } });

    const plan: PlacementPlan = { ...empty, bindings: [], unschedulable: [], preemptions: [] };
    let attempted = 0;
    let failed = 0;
    for (const replica of due) {
      const spec = this.mapper.toSpec(replica);
      if (this.holdNomination(state, queue, engine, replica, now)) continue;
      attempted++;
      const result = engine.place(spec);
      if (result.kind === 'Scheduled') {
        plan.bindings.push({ uid: replica.uid, node: result.node, expectedVersion: replica.version, createdAt: replica.createdAt });
        continue;
      }
      if (this.options.preemption && replica.priority > lowestPriority) {
        const preemption = engine.findPreemption(spec);
        if (preemption.kind === 'Preempt') {
          const victims = preemption.victims.map((v) => ({ uid: v.uid, expectedVersion: state.replicas.get(v.uid)?.version ?? 0 }));
          for (const victim of victims) engine.unbind(victim.uid);
          engine.bind(spec, preemption.node);
          plan.preemptions.push({ preemptor: replica.uid, node: preemption.node, victims });
          queue.nominate(replica.uid, preemption.node, victims.map((v) => v.uid), now);
          queue.failed(replica.uid, now, epoch);
          continue;
        }
      }
      failed++;
      queue.failed(replica.uid, now, epoch);
      // The catalogue caps the message; counted reasons never get near it, but a taint list could.
      const message = result.message.slice(0, 4000);
      if (replica.unschedulableMessage !== message) plan.unschedulable.push({ uid: replica.uid, expectedVersion: replica.version, message });
    }
    return { ...plan, attempted, failed };
  }

  /** A preemptor waits for its victims to go; meanwhile its place is held so nothing smaller takes it. */
  private holdNomination(state: ClusterState, queue: SchedulingQueue, engine: PlacementEngine, replica: ReplicaState, now: number): boolean {
    const nomination = queue.nomination(replica.uid);
    if (!nomination) return false;
    const waiting = nomination.victims.some((uid) => state.replicas.has(uid) && !state.replicas.get(uid)?.stopped);
    if (!waiting || now - nomination.at > this.options.nominationTimeoutMs || !state.nodes.get(nomination.node)?.ready) {
      queue.clearNomination(replica.uid);
      return false;
    }
    for (const uid of nomination.victims) engine.unbind(uid);
    engine.bind(this.mapper.toSpec(replica), nomination.node);
    return true;
  }
}
