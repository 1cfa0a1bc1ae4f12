import {
  ClusterState,
  ConditionView,
  DeploymentState,
  NodeState,
  ReplicaState,
  RevisionRecord,
} from './cluster-state.model';

export function deploymentKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function parseDeploymentKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

const byCreation = (a: ReplicaState, b: ReplicaState): number => a.createdPosition - b.createdPosition;

function collect(state: ClusterState, uids: Iterable<string> | undefined): ReplicaState[] {
  const out: ReplicaState[] = [];
  if (!uids) return out;
  for (const uid of uids) {
    const replica = state.replicas.get(uid);
    if (replica) out.push(replica);
  }
  return out.sort(byCreation);
}

/** Every replica (of any incarnation) filed under the deployment key, oldest first. */
export function replicasOf(state: ClusterState, key: string): ReplicaState[] {
  return collect(state, state.index.byDeployment.get(key));
}

/** Replicas created by this incarnation of the deployment, oldest first. */
export function ownedReplicas(state: ClusterState, deployment: DeploymentState): ReplicaState[] {
  return replicasOf(state, deployment.key).filter((r) => r.ownerIncarnation === deployment.incarnation);
}

/** Replicas that count: not deletion-requested (and, being in the state, not deleted). */
export function isActive(replica: ReplicaState): boolean {
  return !replica.deletionRequested;
}

export function activeReplicasOf(state: ClusterState, deployment: DeploymentState): ReplicaState[] {
  return ownedReplicas(state, deployment).filter(isActive);
}

/** Replicas of one revision (template hash) of the deployment, oldest first. */
export function replicasOfRevision(state: ClusterState, key: string, templateHash: string): ReplicaState[] {
  return replicasOf(state, key).filter((r) => r.templateHash === templateHash);
}

/** Replicas bound to the node (terminating ones included), oldest first. */
export function replicasOnNode(state: ClusterState, node: string): ReplicaState[] {
  return collect(state, state.index.byNode.get(node));
}

/** Unbound, not deletion-requested replicas: highest priority first, then oldest. */
export function pendingReplicas(state: ClusterState): ReplicaState[] {
  return collect(state, state.index.pending).sort((a, b) => b.priority - a.priority || a.createdPosition - b.createdPosition);
}

export function terminatingReplicas(state: ClusterState): ReplicaState[] {
  return collect(state, state.index.terminating);
}

/** Ready for at least minReadySeconds (Kubernetes' "available"); terminating replicas never are. */
export function isReplicaAvailable(replica: ReplicaState, minReadySeconds: number, now: number): boolean {
  if (!replica.ready || replica.deletionRequested || replica.readySince === undefined) return false;
  return minReadySeconds <= 0 || replica.readySince + minReadySeconds * 1000 <= now;
}

/** When a ready replica becomes available, undefined when it is not ready. */
export function availableAt(replica: ReplicaState, minReadySeconds: number): number | undefined {
  if (!replica.ready || replica.deletionRequested || replica.readySince === undefined) return undefined;
  return replica.readySince + Math.max(0, minReadySeconds) * 1000;
}

export function revisionByHash(deployment: DeploymentState, templateHash: string): RevisionRecord | undefined {
  return deployment.revisions.find((r) => r.templateHash === templateHash);
}

/** The highest revision number recorded, 0 when none. */
export function latestRevisionNumber(deployment: DeploymentState): number {
  return deployment.revisions.reduce((max, r) => Math.max(max, r.revision), 0);
}

/**
 * Revisions still in the history, newest first: the current template's, every old one that still has
 * replicas, and the newest `revisionHistoryLimit` old ones without (Kubernetes deletes the rest).
 */
export function retainedRevisions(state: ClusterState, deployment: DeploymentState): RevisionRecord[] {
  const withReplicas = new Set<string>();
  for (const replica of ownedReplicas(state, deployment)) if (isActive(replica)) withReplicas.add(replica.templateHash);
  const sorted = [...deployment.revisions].sort((a, b) => b.revision - a.revision);
  let emptyOld = 0;
  return sorted.filter((revision) => {
    if (revision.templateHash === deployment.templateHash || withReplicas.has(revision.templateHash)) return true;
    emptyOld++;
    return emptyOld <= deployment.spec.revisionHistoryLimit;
  });
}

/** The revision a rollback goes to: `toRevision` 0 is the one before the current template. */
export function rollbackTarget(state: ClusterState, deployment: DeploymentState, toRevision: number): RevisionRecord | undefined {
  const retained = retainedRevisions(state, deployment);
  if (toRevision === 0) return retained.find((r) => r.templateHash !== deployment.templateHash);
  return retained.find((r) => r.revision === toRevision);
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** The Kubernetes pod phase a replica shows as. */
export function podPhase(replica: ReplicaState): PodPhase {
  switch (replica.phase) {
    case 'Pending':
    case 'Scheduled':
      return 'Pending';
    case 'Running':
    case 'Ready':
      return 'Running';
    case 'Terminating':
      return replica.startedAt !== undefined && !replica.stopped ? 'Running' : 'Pending';
    case 'Failed':
      return 'Failed';
    case 'Succeeded':
      return 'Succeeded';
    default:
      return 'Unknown';
  }
}

/** The node's Ready condition, Kubernetes-style. */
export function nodeReadyCondition(node: NodeState): ConditionView {
  const status = node.condition === 'Ready' ? 'True' : node.condition === 'NotReady' ? 'False' : 'Unknown';
  const reason =
    node.condition === 'Ready'
      ? 'KubeletReady'
      : node.condition === 'Lost'
        ? 'NodeStatusUnknown'
        : node.condition === 'NotReady'
          ? 'KubeletNotReady'
          : 'NodeRegistered';
  return {
    type: 'Ready',
    status,
    reason,
    ...(node.conditionReason ? { message: node.conditionReason } : {}),
    lastTransitionTime: new Date(node.conditionSince).toISOString(),
  };
}

/** Registered, ready, not lost, not cordoned or draining: new replicas may go there. */
export function isSchedulable(node: NodeState): boolean {
  return node.registered && node.ready && !node.lost && !node.cordoned && !node.drainRequested;
}

export function findCondition(conditions: readonly ConditionView[] | undefined, type: string): ConditionView | undefined {
  return conditions?.find((c) => c.type === type);
}
