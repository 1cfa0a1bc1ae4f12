import { ClusterState, replicasOnNode, terminatingReplicas } from '@berth/cluster-state';

export interface ReplicaAction {
  readonly uid: string;
  readonly expectedVersion: number;
}

export interface LifecyclePlan {
  /** Deletion-requested replicas nothing runs for any more: ReplicaDeleted. */
  readonly finalize: ReplicaAction[];
  /** Replicas of lost nodes: deletion requested (NodeLost) and deleted at once, since no agent will report. */
  readonly evictions: ReplicaAction[];
  readonly requeueAt?: number;
}

export interface NodeLifecycleOptions {
  /** How long a lost node's replicas are kept before they are replaced elsewhere. */
  readonly nodeLostGraceMs: number;
}

/** Finishes replica deletions and evicts the replicas of lost nodes. Pure over the cluster state. */
export class NodeLifecycle {
  constructor(private readonly options: NodeLifecycleOptions) {}

  plan(state: ClusterState, now: number): LifecyclePlan {
    const finalize: ReplicaAction[] = [];
    for (const replica of terminatingReplicas(state)) {
      const node = replica.node === undefined ? undefined : state.nodes.get(replica.node);
      const gone = replica.node === undefined || !node?.registered || node.lost || replica.stopped;
      if (gone) finalize.push({ uid: replica.uid, expectedVersion: replica.version });
    }
    const evictions: ReplicaAction[] = [];
    let requeueAt: number | undefined;
    for (const node of state.nodes.values()) {
      if (!node.lost || node.lostAt === undefined) continue;
      const due = node.lostAt + this.options.nodeLostGraceMs;
      const victims = replicasOnNode(state, node.name).filter((r) => !r.deletionRequested);
      if (victims.length === 0) continue;
      if (now < due) {
        requeueAt = requeueAt === undefined ? due : Math.min(requeueAt, due);
        continue;
      }
      for (const replica of victims) evictions.push({ uid: replica.uid, expectedVersion: replica.version });
    }
    return { finalize, evictions, requeueAt };
  }
}
