import { isReplicaAvailable, ReplicaState } from '@berth/cluster-state';

/** 0 unbound, 1 bound but not started (or failed), 2 started not ready, 3 ready. */
function progressRank(replica: ReplicaState): number {
  if (replica.node === undefined) return 0;
  if (replica.ready) return 3;
  if (replica.phase === 'Running') return 2;
  return 1;
}

/**
 * The order Kubernetes' ReplicaSet controller deletes pods in (ActivePods): unscheduled first, then
 * not started, then not ready, then ready for the shortest time, more restarts, newest. Ties go by uid
 * so every scheduler copy picks the same victims.
 */
export function compareForDeletion(a: ReplicaState, b: ReplicaState): number {
  return (
    progressRank(a) - progressRank(b) ||
    (b.readySince ?? 0) - (a.readySince ?? 0) ||
    b.restartCount - a.restartCount ||
    b.createdPosition - a.createdPosition ||
    (a.uid < b.uid ? 1 : a.uid > b.uid ? -1 : 0)
  );
}

/** The `count` replicas to remove first. */
export function pickForDeletion(replicas: readonly ReplicaState[], count: number): ReplicaState[] {
  if (count <= 0) return [];
  return [...replicas].sort(compareForDeletion).slice(0, count);
}

/** Not available ones first (cleanupUnhealthyReplicas), then by deletion order. */
export function splitByAvailability(
  replicas: readonly ReplicaState[],
  minReadySeconds: number,
  now: number,
): { available: ReplicaState[]; unavailable: ReplicaState[] } {
  const available: ReplicaState[] = [];
  const unavailable: ReplicaState[] = [];
  for (const replica of replicas) (isReplicaAvailable(replica, minReadySeconds, now) ? available : unavailable).push(replica);
  return { available, unavailable };
}
