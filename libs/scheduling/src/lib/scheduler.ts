import { Unschedulable } from './errors';
import { PlacementEngine } from './placement-engine';
import { BatchOptions, ClusterSnapshot, Placement, PreemptionResult, ReplicaSpec } from './types';

export type ScheduleResult = Placement | Unschedulable;

export interface BatchResult {
  readonly placements: Placement[];
  readonly failures: Unschedulable[];
  /** Every decision in the order it was made (priority descending, then input order). */
  readonly results: ScheduleResult[];
}

/** Where one replica would go on this snapshot, or why it cannot go anywhere. The snapshot is not changed. */
export function scheduleOne(snapshot: ClusterSnapshot, replica: ReplicaSpec): ScheduleResult {
  return new PlacementEngine(snapshot).schedule(replica);
}

/**
 * Places replicas one after another on an in-memory copy of the snapshot, each seeing the ones before it.
 * Higher priority goes first (a scheduling queue's order); equal priorities keep input order.
 */
export function scheduleBatch(snapshot: ClusterSnapshot, replicas: readonly ReplicaSpec[], options: BatchOptions = {}): BatchResult {
  const engine = new PlacementEngine(snapshot);
  const order = replicas.map((_, i) => i);
  order.sort((a, b) => (replicas[b].priority ?? 0) - (replicas[a].priority ?? 0) || a - b);
  const placements: Placement[] = [];
  const failures: Unschedulable[] = [];
  const results: ScheduleResult[] = [];
  const every = options.progressEvery && options.progressEvery > 0 ? options.progressEvery : 5000;
  const onProgress = options.onProgress;
  for (let i = 0; i < order.length; i++) {
    const result = engine.place(replicas[order[i]]);
    results.push(result);
    if (result.kind === 'Scheduled') placements.push(result);
    else failures.push(result);
    if (onProgress && ((i + 1) % every === 0 || i + 1 === order.length)) {
      onProgress({ done: i + 1, total: order.length, placed: placements.length, unschedulable: failures.length });
    }
  }
  return { placements, failures, results };
}

/**
 * For a replica that fits nowhere: the node and the fewest, lowest-priority victims whose eviction lets it fit
 * with every required constraint honoured; NoPreemption when none exists or it fits already.
 */
export function findPreemption(snapshot: ClusterSnapshot, replica: ReplicaSpec): PreemptionResult {
  return new PlacementEngine(snapshot).findPreemption(replica);
}
