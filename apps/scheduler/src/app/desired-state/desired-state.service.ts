import { Logger } from '@nestjs/common';
import { ClusterState, replicasOnNode } from '@berth/cluster-state';
import { DesiredReplica, DesiredState } from '@berth/contracts';
import { toDesiredReplica, UnrunnableTemplate } from './desired-replica.mapper';

/** Builds a node's full desired set from the cluster state: what its agent must run, nothing else. */
export class DesiredStateService {
  private readonly logger = new Logger(DesiredStateService.name);
  private readonly cache = new Map<string, DesiredReplica | null>();

  constructor(private readonly state: ClusterState) {}

  /**
   * Replicas bound to the node whose deletion was not requested, at the state's current position; and
   * the terminating ones whose stop the agent has not confirmed yet.
   */
  stateFor(node: string): DesiredState {
    const replicas: DesiredReplica[] = [];
    const terminating: string[] = [];
    for (const replica of replicasOnNode(this.state, node)) {
      if (replica.deletionRequested) {
        if (!replica.stopped) terminating.push(replica.uid);
        continue;
      }
      let desired = this.cache.get(replica.uid);
      if (desired === undefined) {
        try {
          desired = toDesiredReplica(replica);
        } catch (error) {
          if (!(error instanceof UnrunnableTemplate)) throw error;
          this.logger.warn({ msg: 'replica left out of the desired set', replica: replica.uid, node, error: error.message });
          desired = null;
        }
        this.cache.set(replica.uid, desired);
      }
      if (desired) replicas.push(desired);
    }
    return { node, position: this.state.position, replicas, terminating };
  }

  /** A replica is gone: its cached form goes too. */
  forget(uid: string): void {
    this.cache.delete(uid);
  }
}
